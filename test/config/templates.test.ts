import { expect } from 'chai';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError, type ConfigProblem } from '../../src/errors.js';
import { TEMPLATE_VARIABLES } from '../../src/present/template-variables.js';

/** A config whose line 2 is `templates:` and line 3 the template's name; `body` is indented under it. */
function withTemplate(body: string, receiverExtra = '    template: t'): string {
  return `
templates:
  t:
${body}
aver:
  webhook: { secrets: ["s3cret-value"] }
receivers:
  - name: ops
    console: {}
${receiverExtra}
route:
  receiver: ops
`;
}

function problemsOf(yaml: string): ConfigProblem[] {
  try {
    parseConfig(yaml, 'test.yaml', {});
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  expect.fail('the config was accepted');
}

function onlyProblem(yaml: string): ConfigProblem {
  const problems = problemsOf(yaml);
  expect(problems, JSON.stringify(problems)).to.have.length(1);
  return problems[0];
}

describe('config: templates and a receiver\'s template', () => {
  it('loads templates with headline, text and facts, and the receiver\'s template name', () => {
    const config = parseConfig(withTemplate(`    headline: "KYC {{ id }} is {{ status }}"
    text: "{{ headline }}{% if reason != '' %}: {{ reason }}{% endif %}"
    facts:
      - { title: Reference, value: "{{ reference }}" }
      - { title: "Hits ({{ severity }})", value: "{% for w in warnings %}{{ forloop.index }}. {{ w }} {% endfor %}" }`), 'test.yaml', {});
    expect(config.templates.t.headline).to.equal('KYC {{ id }} is {{ status }}');
    expect(config.templates.t.facts).to.have.length(2);
    expect(config.receivers[0].template).to.equal('t');
  });

  it('a receiver without template: has none, and no templates: is an empty map', () => {
    const config = parseConfig(withTemplate('    headline: x', ''), 'test.yaml', {});
    expect(config.receivers[0].template).to.equal(undefined);
    const none = parseConfig(withTemplate('    headline: x', '').replace(/templates:\n {2}t:\n {4}headline: x\n/, ''), 'test.yaml', {});
    expect(none.templates).to.deep.equal({});
  });

  it('a syntax error is a problem at its YAML path and line, with the line within the template and the variables', () => {
    const p = onlyProblem(withTemplate('    headline: "KYC {{ id "'));
    expect(p.path).to.equal('templates.t.headline');
    expect(p.line).to.equal(4);
    expect(p.message).to.match(/not closed.*\(template line 1, column 5\)/);
    expect(p.hint).to.contain('the variables are: type, typeWords, id, status');
  });

  it('in a literal block (|) the line is the template line\'s own line in the file', () => {
    const p = onlyProblem(withTemplate(`    text: |
      {{ headline }}
      {% if reason %}
      because {{ reason }}`));
    expect(p.path).to.equal('templates.t.text');
    // "text: |" is line 4; the unclosed if on the template's line 2 is line 6.
    expect(p.line).to.equal(6);
    expect(p.message).to.match(/tag \{% if reason %\} not closed/);
    expect(p.message).to.contain('template line 2');
  });

  it('an unknown variable is a problem naming it, with "did you mean" and every variable', () => {
    const p = onlyProblem(withTemplate('    headline: "{{ type }} {{ stauts }}"'));
    expect(p).to.include({ path: 'templates.t.headline', line: 4 });
    expect(p.message).to.equal('unknown variable "stauts" (template line 1, column 15)');
    expect(p.hint).to.match(/^did you mean "status"\? the variables are: /);
    for (const v of TEMPLATE_VARIABLES) expect(p.hint).to.contain(v.name);
  });

  it('variables a template assigns, captures or loops over are its own; labels.* reads any label', () => {
    const config = parseConfig(withTemplate(`    headline: "{% assign who = reference | default: id %}{% capture g %}{{ group }}{% endcapture %}{{ who }} {{ g }} {{ labels.checkTypes }}"
    text: "{% for h in history %}{{ h.statusWords }}{% unless forloop.last %} → {% endunless %}{% endfor %}"`), 'test.yaml', {});
    expect(config.templates.t.headline).to.contain('assign who');
  });

  it('an unknown filter, and the tags that read files (include, render, layout), do not compile', () => {
    const problems = problemsOf(withTemplate(`    headline: "{{ id | shout }}"
    text: "{% include 'secrets.txt' %}"
    facts:
      - { title: A, value: "{% render '/etc/passwd' %}" }
      - { title: B, value: "{% layout 'x' %}" }`));
    expect(problems.map((p) => p.path)).to.deep.equal(['templates.t.headline', 'templates.t.text', 'templates.t.facts[0].value', 'templates.t.facts[1].value']);
    expect(problems[0].message).to.match(/^undefined filter: shout/);
    expect(problems[1].message).to.match(/^the include tag is not available in message templates/);
    expect(problems[2].message).to.match(/^the render tag is not available/);
    expect(problems[3].message).to.match(/^the layout tag is not available/);
    expect(problems.map((p) => p.line)).to.deep.equal([4, 5, 7, 8]);
  });

  it('every problem of every template is listed at once', () => {
    const yaml = withTemplate(`    headline: "{{ nope }}"
    facts:
      - { title: "{{ id", value: "{{ alsoNope }}" }
  second:
    text: "{% endif %}"`);
    const problems = problemsOf(yaml);
    expect(problems.map((p) => `${p.line} ${p.path}`)).to.deep.equal([
      '4 templates.t.headline', '6 templates.t.facts[0].title', '6 templates.t.facts[0].value', '8 templates.second.text',
    ]);
  });

  it('a receiver naming a template that is not defined is a problem at its template: line', () => {
    const p = onlyProblem(withTemplate('    headline: x', '    template: short'));
    expect(p).to.include({ path: 'receivers[0].template', line: 10 });
    expect(p.message).to.equal('undefined template "short" used in receiver "ops"');
    expect(p.hint).to.equal('define it under templates, or use one of: t');
  });

  it('a receiver naming Object.prototype\'s properties finds no template', () => {
    expect(onlyProblem(withTemplate('    headline: x', '    template: constructor')).message).to.equal('undefined template "constructor" used in receiver "ops"');
    expect(onlyProblem(withTemplate('    headline: x', '    template: __proto__')).message).to.equal('undefined template "__proto__" used in receiver "ops"');
  });

  it('the schema refuses unknown keys, a fact without a value, and more than 10 facts', () => {
    expect(onlyProblem(withTemplate('    title: x'))).to.include({ path: 'templates.t.title', line: 4 });
    expect(onlyProblem(withTemplate('    facts: [{ title: x }]')).message).to.equal('missing required key "value"');
    const eleven = Array.from({ length: 11 }, (_, i) => `      - { title: "f${i}", value: x }`).join('\n');
    expect(onlyProblem(withTemplate(`    facts:\n${eleven}`)).path).to.equal('templates.t.facts');
  });

  it('a template name must be a plain name', () => {
    const p = onlyProblem(withTemplate('    headline: x', '').replace('  t:', '  "a b":'));
    expect(p).to.include({ path: 'templates.a b', line: 4 });
    expect(p.message).to.equal('template name "a b" is not allowed');
  });
});
