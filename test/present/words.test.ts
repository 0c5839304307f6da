import { expect } from 'chai';
import { KNOWN_STATUSES, KNOWN_TYPES } from '../../src/model/event.js';
import {
  canonicalWarning,
  KNOWN_STATUS_REASONS,
  KNOWN_WARNINGS,
  reasonWords,
  sentence,
  splitWords,
  statusWords,
  typeWords,
  warningWords,
} from '../../src/present/words.js';

describe('splitWords', () => {
  const table: Array<[string, string]> = [
    ['AwaitingManualStep', 'awaiting manual step'],
    ['SomeNewWarning', 'some new warning'],
    ['IPCheckFailed', 'IP check failed'],
    ['FaceMatch', 'face match'],
    ['some_value', 'some value'],
    ['already words', 'already words'],
    ['Paused', 'paused'],
    ['toString', 'to string'],
    ['__proto__', 'proto'],
  ];
  for (const [value, words] of table) it(`${value} → "${words}"`, () => expect(splitWords(value)).to.equal(words));

  it('gives back a value with nothing to split as it is', () => {
    expect(splitWords('___')).to.equal('___');
    expect(splitWords('')).to.equal('');
  });
});

describe('the word table', () => {
  it('has words for every documented type and status, and splits the others the same way', () => {
    for (const t of KNOWN_TYPES) expect(typeWords(t), t).to.match(/^[A-Z][a-z]+( [a-z]+)+$/);
    for (const s of KNOWN_STATUSES) expect(statusWords(s), s).to.match(/^[a-z]+( [a-z]+)*$/).and.not.equal(s);
    expect(typeWords('FaceMatch')).to.equal('Face match');
    expect(statusWords('AwaitingManualStep')).to.equal('awaiting manual step');
    expect(warningWords('AwaitingManualStep')).to.equal(sentence('awaiting manual step'));
    expect(reasonWords('AwaitingManualStep')).to.equal('Awaiting manual step');
  });

  it('reads warnings and reasons whatever their case', () => {
    expect(warningWords('watchlisthitsfound')).to.equal('Watchlist hits found');
    expect(warningWords(' IPVPNTOR ')).to.equal('IP address is a VPN or Tor exit');
    expect(canonicalWarning('adversemediafound')).to.equal('AdverseMediaFound');
    expect(reasonWords('expireddocuments')).to.equal('Documents expired');
    for (const w of KNOWN_WARNINGS) expect(warningWords(w.toLowerCase()), w).to.match(/^[A-Z]\S* \S/);
    for (const r of KNOWN_STATUS_REASONS) expect(reasonWords(r.toUpperCase()), r).to.match(/^[A-Z]\S* \S/);
  });

  it('treats names of Object.prototype properties as undocumented values, never as functions', () => {
    for (const v of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
      for (const words of [typeWords(v), statusWords(v), warningWords(v), reasonWords(v)]) {
        expect(words, v).to.be.a('string');
        expect(words, v).not.to.match(/native code|function|\[object/);
      }
    }
    expect(statusWords('constructor')).to.equal('constructor');
    expect(canonicalWarning('constructor')).to.equal('constructor');
  });
});
