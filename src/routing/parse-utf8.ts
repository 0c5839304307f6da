/**
 * Alertmanager's UTF-8 matchers parser (matcher/parse/lexer.go and parse.go in
 * Alertmanager v0.34.0), rewritten for this bridge: the same grammar, the same
 * positions (columns count code points) and the same error messages.
 *
 *   {foo="bar", "foo 🙂"=~"a|b", baz!=qux,}
 *
 * Label names and values are either double-quoted (Go string literal escapes)
 * or unquoted runs of anything but whitespace and { } ! = ~ , \ " ' `.
 */
import { goUnquote, isGoSpace, isValidUtf8 } from './go-string.js';
import { AlertmanagerSyntaxError, newMatcher, type Matcher, type MatchOp } from './label-matcher.js';

type Kind = 'eof' | 'open' | 'close' | 'comma' | 'op' | 'quoted' | 'unquoted';

interface Position { offsetStart: number; offsetEnd: number; columnStart: number; columnEnd: number }

interface Token extends Position { kind: Kind; value: string }

const E = {
  eof: 'end of input',
  expectedEOF: 'expected end of input',
  noOpenBrace: 'expected opening brace',
  noCloseBrace: 'expected close brace',
  noLabelName: 'expected label name',
  noLabelValue: 'expected label value',
  noOperator: "expected an operator such as '=', '!=', '=~' or '!~'",
  expectedComma: 'expected a comma',
  expectedCommaOrCloseBrace: 'expected a comma or close brace',
  expectedMatcherOrCloseBrace: 'expected a matcher or close brace after comma',
} as const;

/** An error of the lexer or parser; `eof` marks the parser's errEOF, which some states handle. */
class ParseError extends AlertmanagerSyntaxError {
  constructor(message: string, readonly eof = false, regex = false) {
    super(message, regex);
  }
}

function isReserved(ch: string): boolean {
  return isGoSpace(ch) || '{}!=~,\\"\'`'.includes(ch);
}

/** Splits the input into tokens (lexer.go). Offsets are string indexes; columns count code points. */
class Lexer {
  private start = 0;
  private pos = 0;
  private width = 0;
  private column = 0;
  private cols = 0;
  private err: ParseError | null = null;

  constructor(private readonly input: string) {}

  position(): Position {
    return { offsetStart: this.start, offsetEnd: this.pos, columnStart: this.column, columnEnd: this.cols };
  }

  private next(): string | null {
    if (this.pos >= this.input.length) {
      this.width = 0;
      return null;
    }
    const ch = String.fromCodePoint(this.input.codePointAt(this.pos)!);
    this.width = ch.length;
    this.pos += ch.length;
    this.cols++;
    return ch;
  }

  private rewind(): void {
    this.pos -= this.width;
    if (this.width > 0) this.cols--;
  }

  private accept(valid: string): boolean {
    const ch = this.next();
    if (ch !== null && valid.includes(ch)) return true;
    this.rewind();
    return false;
  }

  private emit(kind: Kind): Token {
    const t: Token = { kind, value: this.input.slice(this.start, this.pos), ...this.position() };
    this.start = this.pos;
    this.column = this.cols;
    return t;
  }

  private expectedError(expected: string): ParseError {
    const p = this.position();
    if (p.offsetEnd >= this.input.length) return new ParseError(`${p.columnStart}:${p.columnEnd}: unexpected end of input, expected one of '${expected}'`);
    return new ParseError(`${p.columnStart}:${p.columnEnd}: ${this.input.slice(p.offsetStart, p.offsetEnd)}: expected one of '${expected}'`);
  }

  /** The next token, or the lexer's error (which it keeps returning). At the end: an `eof` token. */
  scan(): Token {
    if (this.err) throw this.err;
    try {
      return this.scanToken();
    } catch (err) {
      this.err = err as ParseError;
      throw err;
    }
  }

  private scanToken(): Token {
    for (let ch = this.next(); ch !== null; ch = this.next()) {
      if (ch === '{') return this.emit('open');
      if (ch === '}') return this.emit('close');
      if (ch === ',') return this.emit('comma');
      if (ch === '=' || ch === '!') {
        this.rewind();
        return this.scanOperator();
      }
      if (ch === '"') {
        this.rewind();
        return this.scanQuoted();
      }
      if (!isReserved(ch)) {
        this.rewind();
        return this.scanUnquoted();
      }
      if (isGoSpace(ch)) {
        this.start = this.pos;
        this.column = this.cols;
        continue;
      }
      const p = this.position();
      throw new ParseError(`${p.columnStart}:${p.columnEnd}: ${this.input.slice(p.offsetStart, p.offsetEnd)}: invalid input`);
    }
    return { kind: 'eof', value: '', ...this.position() };
  }

  private scanOperator(): Token {
    if (this.accept('!')) {
      if (this.accept('=') || this.accept('~')) return this.emit('op');
      throw this.expectedError('=~');
    }
    if (this.accept('=')) {
      this.accept('~');
      return this.emit('op');
    }
    throw this.expectedError('!=');
  }

  private scanQuoted(): Token {
    if (!this.accept('"')) throw this.expectedError('"');
    let escaped = false;
    for (let ch = this.next(); ch !== null; ch = this.next()) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') {
        this.rewind();
        break;
      }
    }
    if (!this.accept('"')) {
      const p = this.position();
      throw new ParseError(`${p.columnStart}:${p.columnEnd}: ${this.input.slice(p.offsetStart, p.offsetEnd)}: missing end "`);
    }
    return this.emit('quoted');
  }

  private scanUnquoted(): Token {
    for (let ch = this.next(); ch !== null; ch = this.next()) {
      if (isReserved(ch)) {
        this.rewind();
        break;
      }
    }
    return this.emit('unquoted');
  }

  /** The next token without consuming it. */
  peek(): Token {
    const saved = [this.start, this.pos, this.width, this.column, this.cols] as const;
    try {
      return this.scan();
    } finally {
      [this.start, this.pos, this.width, this.column, this.cols] = saved;
    }
  }
}

/** Reads a quoted token's text (Go strconv.Unquote); an unquoted token is its own text. */
function unquote(t: Token): string {
  if (t.kind !== 'quoted') return t.value;
  const s = goUnquote(t.value);
  if (!isValidUtf8(s)) throw new SyntaxError('quoted string contains invalid UTF-8 code points');
  return s;
}

type State = (() => State | null);

/** The parser (parse.go): a state machine over the lexer's tokens. */
class Parser {
  readonly matchers: Matcher[] = [];
  private hasOpenBrace = false;
  private readonly l: Lexer;

  constructor(private readonly input: string) {
    this.l = new Lexer(input);
  }

  parse(): Matcher[] {
    let state: State | null = this.parseOpenBrace;
    while (state) state = state.call(this);
    return this.matchers;
  }

  /** expectPeek: the next token if it is one of `kinds`; errEOF at the end; else "unexpected …". */
  private expectPeek(...kinds: Kind[]): Token {
    const t = this.l.peek();
    if (t.kind === 'eof') throw new ParseError(E.eof, true);
    if (!kinds.includes(t.kind)) throw new ParseError(`${t.columnStart}:${t.columnEnd}: unexpected ${t.value}`);
    return t;
  }

  private expect(...kinds: Kind[]): Token {
    const t = this.expectPeek(...kinds);
    this.l.scan();
    return t;
  }

  /** Runs `fn`; an error from it becomes "<its message>: <then>", as parse.go wraps with %w: %w. */
  private wrap<T>(then: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw new ParseError(`${(err as Error).message}: ${then}`, (err as ParseError).eof);
    }
  }

  private parseOpenBrace(): State {
    const first = this.l.peek();
    if (first.kind === 'eof') return this.parseEOF;
    if (first.kind === 'open') {
      this.l.scan();
      this.hasOpenBrace = true;
    }
    const t = this.l.peek();
    if (t.kind === 'eof' || t.kind === 'close') return this.parseCloseBrace;
    return this.parseMatcher;
  }

  private parseCloseBrace(): State {
    if (this.hasOpenBrace) {
      try {
        this.expect('close');
      } catch (err) {
        throw new ParseError(`0:${this.l.position().columnEnd}: ${(err as Error).message}: ${E.noCloseBrace}`);
      }
    } else {
      let closed = true;
      try {
        this.expect('close');
      } catch {
        closed = false;
      }
      if (closed) throw new ParseError(`0:${this.l.position().columnEnd}: }: ${E.noOpenBrace}`);
    }
    return this.parseEOF;
  }

  private parseMatcher(): State {
    const name = this.wrap(E.noLabelName, () => this.expect('quoted', 'unquoted'));
    const label = this.unquoteOrInvalid(name);
    const op = this.wrap(E.noOperator, () => this.expect('op')).value as MatchOp;
    const valueToken = this.wrap(E.noLabelValue, () => this.expect('unquoted', 'quoted'));
    const value = this.unquoteOrInvalid(valueToken);
    try {
      this.matchers.push(newMatcher(op, label, value, this.input.slice(name.offsetStart, valueToken.offsetEnd)));
    } catch (err) {
      throw new ParseError(`failed to create matcher: ${(err as Error).message}`, false, err instanceof AlertmanagerSyntaxError && err.regex);
    }
    return this.parseEndOfMatcher;
  }

  private unquoteOrInvalid(t: Token): string {
    try {
      return unquote(t);
    } catch {
      throw new ParseError(`${t.columnStart}:${t.columnEnd}: ${t.value}: invalid input`);
    }
  }

  private parseEndOfMatcher(): State {
    try {
      return this.wrap(E.expectedCommaOrCloseBrace, () => this.expectPeek('comma', 'close')).kind === 'comma' ? this.parseComma : this.parseCloseBrace;
    } catch (err) {
      if ((err as ParseError).eof) return this.parseCloseBrace;
      throw err;
    }
  }

  private parseComma(): State {
    this.wrap(E.expectedComma, () => this.expect('comma'));
    try {
      return this.wrap(E.expectedMatcherOrCloseBrace, () => this.expectPeek('close', 'unquoted', 'quoted')).kind === 'close' ? this.parseCloseBrace : this.parseMatcher;
    } catch (err) {
      if ((err as ParseError).eof) return this.parseCloseBrace;
      throw err;
    }
  }

  private parseEOF(): State | null {
    const t = this.wrap(E.expectedEOF, () => this.l.scan());
    if (t.kind !== 'eof') throw new ParseError(`${t.columnStart}:${t.columnEnd}: ${t.value}: ${E.expectedEOF}`);
    return null;
  }
}

/**
 * matcher/parse.Matchers: zero or more matchers, optionally in braces, comma
 * separated with an optional trailing comma. Throws an AlertmanagerSyntaxError
 * with Alertmanager's message.
 */
export function parseUtf8Matchers(input: string): Matcher[] {
  return new Parser(input).parse();
}

/** matcher/parse.Matcher: exactly one matcher. */
export function parseUtf8Matcher(input: string): Matcher {
  const ms = parseUtf8Matchers(input);
  if (ms.length === 1) return ms[0];
  throw new AlertmanagerSyntaxError(ms.length === 0 ? 'no matchers' : `expected 1 matcher, found ${ms.length}`);
}
