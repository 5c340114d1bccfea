/* linkage reporter page: reads a reporter's table, normalises, encodes and signs it in the browser,
   byte for byte as `linkage encode` does. No network: the page's Content-Security-Policy forbids every
   connection. The rules below port linkage.intake, linkage.normalise, linkage.encode and
   linkage.submission; the data they read (word lists, code tables, column names, transliteration)
   is embedded by `linkage reporter-page` from the Python package itself. */
"use strict";
(function () {
  const CONFIG = JSON.parse(document.getElementById("linkage-config").textContent);
  const RULES = JSON.parse(document.getElementById("linkage-rules").textContent);
  const TE = new TextEncoder();
  // Test-only: set by the test suite before the page loads (read once, here; the page then shows TEST MODE).
  const TEST = globalThis.__LINKAGE_TEST_RANDOMNESS__ && typeof globalThis.__LINKAGE_TEST_RANDOMNESS__.seed_hex === "string"
    ? Object.freeze({ seed_hex: globalThis.__LINKAGE_TEST_RANDOMNESS__.seed_hex, created: globalThis.__LINKAGE_TEST_RANDOMNESS__.created })
    : null;
  const subtle = globalThis.crypto && globalThis.crypto.subtle;

  /* ------------------------------------------------------------------ errors */
  class InvalidValue extends Error {
    constructor(reason, source) { super(reason); this.reason = reason; this.source = source || null; }
  }
  class PageError extends Error {
    constructor(message, detail) { super(message); this.detail = detail || null; }
  }

  /* ------------------------------------------------------------------ bytes */
  function concat(parts) {
    let n = 0;
    for (const p of parts) n += p.length;
    const out = new Uint8Array(n);
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out;
  }
  function hex(bytes) {
    let s = "";
    for (let i = 0; i < bytes.length; i++) s += bytes[i].toString(16).padStart(2, "0");
    return s;
  }
  function fromHex(s) {
    const out = new Uint8Array(s.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(2 * i, 2), 16);
    return out;
  }
  function u32be(n) { return new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]); }
  function u16be(n) { return new Uint8Array([(n >>> 8) & 255, n & 255]); }
  function b64decode(s) {
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  function startsWith(bytes, prefix) {
    if (bytes.length < prefix.length) return false;
    for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
    return true;
  }
  function indexOfBytes(bytes, needle, limit) {
    const end = Math.min(bytes.length, limit) - needle.length;
    outer: for (let i = 0; i <= end; i++) {
      for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
      return i;
    }
    return -1;
  }
  async function inflateRaw(bytes) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  /* ------------------------------------------------------------------ Python string semantics */
  // str.isspace() characters: what str.strip() and str.split() remove.
  const PY_WS = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  const RE_STRIP = new RegExp("^[" + PY_WS + "]+|[" + PY_WS + "]+$", "g");
  const RE_WS = new RegExp("[" + PY_WS + "]+");
  function pyStrip(s) { return s.replace(RE_STRIP, ""); }
  function pySplit(s) { return s.split(RE_WS).filter((w) => w.length > 0); }
  function pyLower(s) { return s.toLowerCase(); }
  function collapse(s) { return pySplit(pyLower(pyStrip(s))).join(" "); }
  function isUpperRun(s) { return /[A-Z]/.test(s) && !/[a-z]/.test(s); }
  function isLowerRun(s) { return /[a-z]/.test(s) && !/[A-Z]/.test(s); }
  // Unicode decimal digits (\d in Python's str patterns) and their values.
  function digitValue(ch) {
    let cp = ch.codePointAt(0);
    if (cp >= 48 && cp <= 57) return cp - 48;
    let base = cp;
    while (base > 0 && /\p{Nd}/u.test(String.fromCodePoint(base - 1))) base--;
    return (cp - base) % 10;
  }
  function pyInt(s) {
    let v = 0;
    for (const ch of s) v = v * 10 + digitValue(ch);
    return v;
  }
  const D = "\\p{Nd}";
  function asciiDigits(s) { return s.replace(/\p{Nd}/gu, (ch) => String(digitValue(ch))); }

  /* ------------------------------------------------------------------ cells */
  // A cell is null, a string, a number (integral = Python int, else float), a boolean,
  // or {date: [y, m, d], time: [H, M, S]} (an Excel date).
  function isDate(v) { return v !== null && typeof v === "object" && Array.isArray(v.date); }
  function isMissing(v) {
    if (v === null || v === undefined) return true;
    if (typeof v === "string") return pyStrip(v).length === 0;
    if (typeof v === "number") return Number.isNaN(v);
    return false;
  }
  function clean(v) { return isMissing(v) ? null : v; }
  function isInt(v) { return typeof v === "number" && Number.isInteger(v); }
  function isFloat(v) { return typeof v === "number" && !Number.isInteger(v); }
  function pyStr(v) {
    if (typeof v === "string") return v;
    if (typeof v === "boolean") return v ? "True" : "False";
    if (typeof v === "number") {
      if (Number.isInteger(v)) return String(v);
      const s = String(v);
      return s.includes(".") || s.includes("e") ? s : s + ".0";
    }
    if (isDate(v)) {
      const [y, m, d] = v.date, [H, M, S] = v.time;
      const p = (n, w) => String(n).padStart(w, "0");
      return `${p(y, 4)}-${p(m, 2)}-${p(d, 2)} ${p(H, 2)}:${p(M, 2)}:${p(S, 2)}`;
    }
    return String(v);
  }
  function memo(fn) {
    const cache = new Map();
    return function (...args) {
      const key = JSON.stringify(args.map((a) => [a === null ? "n" : typeof a === "number" ? (isInt(a) ? "i" : "f") : typeof a, a]));
      if (cache.has(key)) return cache.get(key);
      let result;
      try { result = fn(...args); } catch (e) {
        if (!(e instanceof InvalidValue)) throw e;
        result = { failure: e };
      }
      cache.set(key, result);
      return result;
    };
  }
  function isFailure(r) { return r !== null && typeof r === "object" && r.failure instanceof InvalidValue; }

  /* ------------------------------------------------------------------ transliteration (NFKC + anyascii) */
  let TRANSLIT = null; // code point (0x80..0xFFFF) -> ASCII text, from Python's anyascii
  async function loadTranslit() {
    const raw = await inflateRaw(b64decode(document.getElementById("linkage-translit").textContent.trim()));
    const text = new TextDecoder().decode(raw);
    TRANSLIT = text.split("\u0001"); // index = code point - 0x80
  }
  const RE_KEPT = /[\p{L}\p{M}\p{N}\p{P}\p{Z}]/u;
  const toAsciiCache = new Map();
  function toAscii(text) {
    let hit = toAsciiCache.get(text);
    if (hit !== undefined) return hit;
    const norm = text.normalize("NFKC");
    let out;
    if (/^[\x00-\x7f]*$/.test(norm)) out = norm;
    else {
      const parts = [];
      for (const ch of norm) {
        const cp = ch.codePointAt(0);
        if (!RE_KEPT.test(ch)) { parts.push(" "); continue; } // symbols, ASCII ones too (Python keeps L, M, N, P, Z)
        if (cp < 0x80) { parts.push(ch); continue; }
        if (cp > 0xffff) throw new InvalidValue("a character this page cannot transliterate (outside the Basic Multilingual Plane); encode this file with linkage encode");
        parts.push(TRANSLIT[cp - 0x80]);
      }
      out = parts.join("");
    }
    if (toAsciiCache.size < 65536) toAsciiCache.set(text, out);
    return out;
  }
  const UNKNOWN_TEXTS = new Set(RULES.unknown_texts);
  function isUnknownText(v) { return typeof v === "string" && UNKNOWN_TEXTS.has(collapse(v)); }

  /* ------------------------------------------------------------------ initials (linkage.normalise._initials) */
  const INI = RULES.initials;
  const I_UNKNOWN = new Set(INI.unknown), PARTICLES = new Set(INI.particles),
    LEADING = new Set(INI.leading_particles), SURNAME_FIRST = new Set(INI.surname_first),
    SUFFIXES = new Set(INI.suffixes), PREFIX_ABBR = new Set(INI.prefix_abbreviations);
  const RE_ATTACHED = /^(?:d'|l'|'t-|'s-|(?:al|el|ad|ar|as|ash|at|az|an|ul)-)(?=[a-z])/i;
  const RE_ARABIC_ARTICLE = /(?<![^\s\-])\u0627\u0644(?=[\p{L}\p{N}_]{2})/gu;
  const RE_APOSTROPHES = /[`\u00b4]/g;
  const RE_LETTER = /[A-Za-z]/;
  const RE_LETTER_RUNS = /[A-Za-z]+/g;

  function iIsUnknown(text) { return I_UNKNOWN.has(pyLower(pyStrip(text)).split(" ").join("").split(".").join("")); }
  function iWords(text) {
    const t = text.replace(RE_ARABIC_ARTICLE, "");
    const ascii = toAscii(t).replace(RE_APOSTROPHES, "'");
    return pySplit(ascii).filter((w) => RE_LETTER.test(w) && !iIsUnknown(w));
  }
  function firstLetter(word) {
    const m = RE_LETTER.exec(word);
    if (!m) throw new InvalidValue("a name word has no letter");
    return m[0].toUpperCase();
  }
  function particleRun(words, start) {
    let i = start;
    while (i < words.length) {
      const w = pyLower(words[i]);
      if (PARTICLES.has(w)) i++;
      else if (LEADING.has(w) && i + 1 < words.length &&
        (PARTICLES.has(pyLower(words[i + 1])) || LEADING.has(pyLower(words[i + 1])))) i++;
      else break;
    }
    return i - start;
  }
  function surnameInitialOfWords(words) {
    const skip = particleRun(words, 0);
    const core = skip < words.length ? words[skip] : words[0];
    return firstLetter(core.replace(RE_ATTACHED, ""));
  }
  function noLetters(what) { return new InvalidValue(`no letter A-Z in ${what} after transliteration`); }
  function givenNameInitial(given) {
    if (given === null || iIsUnknown(given)) return null;
    const words = iWords(given);
    if (!words.length) {
      if (!RE_LETTER.test(toAscii(given))) throw noLetters("the given names");
      return null;
    }
    return firstLetter(words[0]);
  }
  function surnameInitial(surname) {
    if (surname === null || iIsUnknown(surname)) return null;
    const head = surname.split(",")[0];
    let words = pyStrip(head) ? iWords(head) : [];
    if (!words.length) words = iWords(surname);
    if (!words.length) {
      if (!RE_LETTER.test(toAscii(surname))) throw noLetters("the surname");
      return null;
    }
    return surnameInitialOfWords(words);
  }
  function initialsFromParts(given, surname) {
    const g = givenNameInitial(given);
    const s = surnameInitial(surname);
    return ((g || "") + (s || "")) || null;
  }
  function initialsFromName(text) {
    if (iIsUnknown(text)) return null;
    if (text.includes(",")) {
      const at = text.indexOf(",");
      const surname = text.slice(0, at), rest = text.slice(at + 1);
      const givenParts = rest.split(",").filter((p) => iWords(p).length > 0);
      let given = givenParts.find((p) => particleRun(iWords(p), 0) < iWords(p).length);
      if (given === undefined) given = givenParts.length ? givenParts[0] : null;
      if (pyStrip(surname) || given !== null) {
        try {
          return initialsFromParts(given, pyStrip(surname) ? surname : null);
        } catch (e) {
          if (!(e instanceof InvalidValue)) throw e;
        }
      }
    }
    const words = iWords(text.split(",").join(" "));
    if (!words.length) {
      if (!RE_LETTER.test(toAscii(text))) throw noLetters("the name");
      return null;
    }
    while (words.length > 1 && SUFFIXES.has(pyLower(words[words.length - 1]).replace(/\.+$/, ""))) words.pop();
    const skip = particleRun(words, 0);
    if (skip > 0 && skip < words.length && SURNAME_FIRST.has(pyLower(words[0]))) {
      const sur = surnameInitialOfWords(words.slice(0, skip + 1));
      const givenWords = words.slice(skip + 1);
      return (givenWords.length ? firstLetter(givenWords[0]) : "") + sur;
    }
    const first = firstLetter(words[0]);
    if (words.length === 1) return first;
    return first + surnameInitialOfWords(words.slice(-1));
  }
  function parseInitials(raw) {
    if (iIsUnknown(raw)) return null;
    const ascii = toAscii(raw.replace(RE_ARABIC_ARTICLE, ""));
    const runs = ascii.match(RE_LETTER_RUNS) || [];
    if (!runs.length) throw noLetters("the initials");
    if (runs.some((r) => r.length >= 4)) return initialsFromName(raw);
    const mixed = /[A-Z]/.test(ascii) && /[a-z]/.test(ascii);
    let letters = [];
    for (const run of runs) {
      if (mixed && isLowerRun(run) && PREFIX_ABBR.has(run)) continue;
      if (isUpperRun(run) || isLowerRun(run)) letters.push(...run.toUpperCase());
      else letters.push(run[0].toUpperCase());
    }
    if (!letters.length) letters = runs.map((r) => r[0].toUpperCase());
    if (letters.length <= 2) return letters.join("");
    return letters[0] + letters[letters.length - 1];
  }
  function requireText(v, what) {
    if (typeof v !== "string") throw new InvalidValue(`${what} must be text`);
    return v;
  }

  /* ------------------------------------------------------------------ sex (linkage.normalise._sex) */
  const SEX_VALUES = RULES.sex.values, SEX_AMBIGUOUS = RULES.sex.ambiguous;
  function resolveSex(value) {
    if (isMissing(value)) return null;
    if (typeof value === "boolean") throw new InvalidValue("not a recognised sex; use M, F or X");
    if (isInt(value)) value = String(value);
    if (typeof value !== "string") throw new InvalidValue("sex must be text");
    const key = collapse(value).replace(/\.+$/, "");
    if (Object.prototype.hasOwnProperty.call(SEX_AMBIGUOUS, key)) throw new InvalidValue(SEX_AMBIGUOUS[key]);
    if (Object.prototype.hasOwnProperty.call(SEX_VALUES, key)) return SEX_VALUES[key];
    throw new InvalidValue("not a recognised sex; use M, F or X");
  }

  /* ------------------------------------------------------------------ birth year (linkage.normalise._birth_year) */
  const TIME_TAIL = `(?:[T ]${D}{1,2}:${D}{2}(?::${D}{2}(?:\\.${D}+)?)?(?:Z|[+-]${D}{2}:?${D}{2})?)?`;
  const full = (src, flags) => new RegExp("^(?:" + src + ")$", "u" + (flags || ""));
  const RE_ISO = full(`(${D}{4})[-/.](${D}{1,2})[-/.](${D}{1,2})` + TIME_TAIL);
  const RE_DMY = full(`(${D}{1,2})[-/.](${D}{1,2})[-/.](${D}{4})` + TIME_TAIL);
  const RE_DMY_SHORT = full(`${D}{1,2}[-/.]${D}{1,2}[-/.]${D}{2}`);
  const RE_COMPACT = full(`(${D}{4})(${D}{2})(${D}{2})`);
  const RE_YM = full(`(${D}{4})[-/.](${D}{1,2})`);
  const RE_MY = full(`(${D}{1,2})[-/.](${D}{4})`);
  const RE_YEAR = full(`(${D}{4})(?:\\.0+)?`);
  const RE_AGE = full(`(${D}{1,3}(?:[.,]${D}+)?)\\s*(?:jaar|jr\\.?|j\\.?|years?(?:\\s+old)?|yrs?\\.?|y\\.?)?`, "i");
  const RE_APPROX = new RegExp("^(?:~|\\u00b1|\\+/-|\\+-|ca\\.?|circa|c\\.|ongeveer|ong\\.|plm\\.?|pl\\.m\\.|approx\\.?|approximately|about|around|rond|est\\.?|estimated|geschat)\\s*", "iu");
  const RE_RANGE = full(`${D}{1,4}\\s*(?:-|\\u2013|/|tot|t/m|to|till|until)\\s*${D}{1,4}(?:\\s*\\P{Nd}*)?`, "i");
  const RE_OPEN_AGE = full(`(?:[<>]=?\\s*${D}{1,3}|${D}{1,3}\\s*\\+|${D}{1,3}\\s*(?:of|or)\\s*(?:ouder|older|jonger|younger))(?:\\s*\\P{Nd}*)?`, "i");
  const AGE_BANDS = new Set(RULES.birth_year.age_bands);
  const RE_SERIAL = full(`${D}{5,7}(?:\\.0+)?`);
  const RE_UNKNOWN_DATE = full("0{1,2}[-/.]0{1,2}[-/.]0{4}|0{4}[-/.]0{1,2}[-/.]0{1,2}|0{8}");
  const MONTHS = RULES.birth_year.months;
  const MONTH = "([a-z]{3,9})\\.?";
  const RE_D_MONTH_Y = full(`(${D}{1,2})(?:e|st|nd|rd|th)?[\\s\\-/.]*` + MONTH + `[\\s\\-/.,]*(${D}{4})` + TIME_TAIL);
  const RE_MONTH_D_Y = full(MONTH + `[\\s\\-/.]*(${D}{1,2})(?:st|nd|rd|th)?,?[\\s\\-/.]+(${D}{4})` + TIME_TAIL);
  const RE_MONTH_Y = full(MONTH + `[\\s\\-/.,]*(${D}{4})`);
  const SERIAL_REASON = "is a number, not a date (an Excel serial date? save the file as .xlsx, or format the column as dates)";

  function daysInMonth(y, m) { return [31, (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]; }
  function makeDate(year, month, day, what, source) {
    if (!(month >= 0 && month <= 12) || !(day >= 0 && day <= 31)) throw new InvalidValue(`${what} is not a valid date`, source);
    if (month === 0 || day === 0) return { year, date: null };
    if (year < 1 || year > 9999 || day > daysInMonth(year, month)) throw new InvalidValue(`${what} is not a valid date`, source);
    return { year, date: [year, month, day] };
  }
  function monthOf(name, what, source) {
    if (Object.prototype.hasOwnProperty.call(MONTHS, name)) return MONTHS[name];
    throw new InvalidValue(`${what} has a month name that is not recognised`, source);
  }
  function checkYearNumber(year, what, source) {
    if (!(year >= 1000 && year <= 9999)) throw new InvalidValue(`${what} is not a four-digit year`, source);
    return year;
  }
  function parseDate(value, what, source) {
    if (isDate(value)) return { year: value.date[0], date: value.date.slice() };
    if (typeof value === "boolean") throw new InvalidValue(`${what} is not a date`, source);
    if (isInt(value)) {
      if (value >= 10000000 && value <= 99999999)
        return makeDate(Math.floor(value / 10000), Math.floor(value / 100) % 100, value % 100, what, source);
      if (value >= 10000 && value <= 9999999) throw new InvalidValue(`${what} ${SERIAL_REASON}`, source);
      return { year: checkYearNumber(value, what, source), date: null };
    }
    if (typeof value !== "string") throw new InvalidValue(`${what} is not a date`, source);
    const text = pyStrip(value);
    let m = RE_ISO.exec(text) || RE_COMPACT.exec(text);
    if (m) return makeDate(pyInt(m[1]), pyInt(m[2]), pyInt(m[3]), what, source);
    m = RE_DMY.exec(text);
    if (m) return makeDate(pyInt(m[3]), pyInt(m[2]), pyInt(m[1]), what, source);
    if (RE_DMY_SHORT.test(text)) throw new InvalidValue(`${what} has a two-digit year, which is ambiguous`, source);
    m = RE_YM.exec(text);
    if (m) return makeDate(pyInt(m[1]), pyInt(m[2]), 0, what, source);
    m = RE_MY.exec(text);
    if (m) return makeDate(pyInt(m[2]), pyInt(m[1]), 0, what, source);
    m = RE_YEAR.exec(text);
    if (m) return { year: pyInt(m[1]), date: null };
    const lowered = pySplit(pyLower(text)).join(" ");
    m = RE_D_MONTH_Y.exec(lowered);
    if (m) return makeDate(pyInt(m[3]), monthOf(m[2], what, source), pyInt(m[1]), what, source);
    m = RE_MONTH_D_Y.exec(lowered);
    if (m) return makeDate(pyInt(m[3]), monthOf(m[1], what, source), pyInt(m[2]), what, source);
    m = RE_MONTH_Y.exec(lowered);
    if (m) return makeDate(pyInt(m[2]), monthOf(m[1], what, source), 0, what, source);
    if (RE_SERIAL.test(text)) throw new InvalidValue(`${what} ${SERIAL_REASON}`, source);
    throw new InvalidValue(`${what} is not a recognised date`, source);
  }
  function parseYear(value) {
    const source = "birth_year";
    if (typeof value === "boolean") throw new InvalidValue("birth year is not a year", source);
    if (isInt(value)) return checkYearNumber(value, "birth year", source);
    if (isFloat(value)) throw new InvalidValue("birth year is not a whole number", source);
    if (typeof value === "string") {
      let text = pyStrip(value);
      const approx = RE_APPROX.exec(text);
      if (approx) text = text.slice(approx[0].length);
      const m = RE_YEAR.exec(text);
      if (m) return pyInt(m[1]);
      if (RE_RANGE.test(text))
        throw new InvalidValue("birth year is a range, not one year: give one year (an estimate such as ~1990 is fine) or leave the cell empty", source);
      throw new InvalidValue("birth year is not a four-digit year", source);
    }
    throw new InvalidValue("birth year is not a year", source);
  }
  function ageReason(text) {
    if (RE_RANGE.test(text)) return "age is a range, not one age: give one age (an estimate such as ~32 is fine) or leave the cell empty";
    if (RE_OPEN_AGE.test(text)) return "age is open-ended (such as 34+), not one age: give one age or leave the cell empty";
    if (AGE_BANDS.has(pySplit(pyLower(text)).join(" "))) return "age is an age band, not an age: give the age in years or leave the cell empty";
    return "age is not a number of years";
  }
  function parseAge(value) {
    const source = "age";
    let age;
    if (typeof value === "boolean") throw new InvalidValue("age is not a number", source);
    if (typeof value === "number") age = value;
    else if (typeof value === "string") {
      let text = pyStrip(value);
      const approx = RE_APPROX.exec(text);
      if (approx) text = text.slice(approx[0].length);
      if (text.startsWith("-") && !RE_RANGE.test(text.replace(/^-+/, ""))) throw new InvalidValue("age is negative", source);
      const m = RE_AGE.exec(text);
      if (!m) throw new InvalidValue(ageReason(text), source);
      age = Number(asciiDigits(m[1].replace(",", ".")));
    } else throw new InvalidValue("age is not a number", source);
    if (age < 0) throw new InvalidValue("age is negative", source);
    return Math.floor(age);
  }
  function isUnknownCell(value) {
    if (isMissing(value) || isUnknownText(value)) return true;
    return typeof value === "string" && RE_UNKNOWN_DATE.test(pyStrip(value));
  }
  function cmpDate(a, b) { for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i]; return 0; }
  function resolveBirthYear(dob, year, age, reportDate, opts) {
    let report = null;
    if (!isUnknownCell(reportDate)) report = parseDate(reportDate, "report date", "report_date");
    const refYear = report !== null ? report.year : new Date().getFullYear();
    const afterRef = report !== null ? "after the report date" : "in the future";
    if (!isUnknownCell(dob)) {
      const source = "date_of_birth";
      const d = parseDate(dob, "date of birth", source);
      if ((report !== null && d.date !== null && report.date !== null && cmpDate(d.date, report.date) > 0) || d.year > refYear)
        throw new InvalidValue(`date of birth lies ${afterRef}`, source);
      return checkedYears(d.year, d.year, source, report, opts);
    }
    if (!isUnknownCell(year)) {
      const source = "birth_year";
      const y = parseYear(year);
      if (y > refYear) throw new InvalidValue(`birth year lies ${afterRef}`, source);
      return checkedYears(y, y, source, report, opts);
    }
    if (!isUnknownCell(age)) {
      const source = "age";
      const years = parseAge(age);
      if (years > opts.max_age) throw new InvalidValue(`age is above the maximum of ${opts.max_age}`, source);
      if (report === null) throw new InvalidValue("an age needs a report date", source);
      const hi = report.year - years;
      const lo = hi - opts.age_uncertainty;
      if (hi < opts.min_year) throw new InvalidValue(`age implies a birth year before ${opts.min_year}`, source);
      return [Math.max(lo, opts.min_year), hi];
    }
    return null;
  }
  function checkedYears(lo, hi, source, report, opts) {
    const what = source === "date_of_birth" ? "date of birth" : "birth year";
    if (lo < opts.min_year) throw new InvalidValue(`${what} lies before ${opts.min_year}`, source);
    if (report !== null && report.year - hi > opts.max_age)
      throw new InvalidValue(`${what} implies an age above ${opts.max_age} at the report date`, source);
    return [lo, hi];
  }

  /* ------------------------------------------------------------------ nationality (linkage.normalise._nationality) */
  const NAT = RULES.nationality;
  const N_UNKNOWN_LIGHT = new Set(NAT.unknown_light), N_UNKNOWN_KEYS = new Set(NAT.unknown_keys),
    N_FILLER = new Set(NAT.filler);
  const RE_SEPARATORS = /\s*(?:\/|\+|,|;|&|\||\s+en\s+|\s+and\s+|\s+of\s+|\s+or\s+)\s*/iu;
  const has = (obj, k) => Object.prototype.hasOwnProperty.call(obj, k);
  function natKey(text) {
    const s = pyLower(toAscii(text)).split("&").join(" and ").split("'").join("");
    const words = (s.match(/[a-z0-9]+/g) || []).filter((w) => !N_FILLER.has(w));
    return words.map((w) => (w === "st" ? "saint" : w)).join("");
  }
  function lookupCode(text) {
    let compact = pyStrip(text).toUpperCase();
    if (/^[0-9]+$/.test(compact) && compact.length <= 3) compact = compact.padStart(3, "0");
    else if (!/^[A-Z]{2,3}$/.test(compact)) return null;
    return has(NAT.codes, compact) ? NAT.codes[compact] : null;
  }
  const natCache = new Map();
  function normaliseNatText(text) {
    if (natCache.has(text)) {
      const hit = natCache.get(text);
      if (hit instanceof InvalidValue) throw hit;
      return hit;
    }
    let result;
    try { result = normaliseNatTextUncached(text); } catch (e) {
      if (!(e instanceof InvalidValue)) throw e;
      natCache.set(text, e);
      throw e;
    }
    natCache.set(text, result);
    return result;
  }
  function normaliseNatTextUncached(text) {
    if (N_UNKNOWN_LIGHT.has(collapse(text))) return null;
    const code = lookupCode(text);
    if (code !== null) return code;
    const key = natKey(text);
    if (N_UNKNOWN_KEYS.has(key)) return null;
    if (has(NAT.names, key)) return NAT.names[key];
    const same = sameCountry(text);
    if (same !== null) return same;
    throw new InvalidValue(natRefusal(text, key));
  }
  function natParts(text) { return text.split(RE_SEPARATORS).filter((p) => pyStrip(p).length > 0); }
  function natRefusal(text, key) {
    if (has(NAT.special_reasons, key)) return NAT.special_reasons[key];
    const parts = natParts(text);
    if (parts.length >= 2) {
      const codes = new Set();
      for (const part of parts) {
        try { codes.add(normaliseNatText(part)); } catch (e) {
          if (!(e instanceof InvalidValue)) throw e;
          return "not a recognised nationality";
        }
      }
      codes.delete(null);
      if (codes.size >= 2)
        return "two or more nationalities in one cell: give one (the one on the papers used for the report; see docs/input.md), or leave the cell empty";
    }
    return "not a recognised nationality";
  }
  function sameCountry(text) {
    const parts = natParts(text);
    if (parts.length < 2) return null;
    const codes = new Set();
    for (const part of parts) {
      try { codes.add(normaliseNatText(part)); } catch (e) {
        if (!(e instanceof InvalidValue)) throw e;
        return null;
      }
    }
    const hadNull = codes.has(null);
    codes.delete(null);
    return codes.size === 1 && !hadNull ? [...codes][0] : null;
  }
  function resolveNationality(value) {
    if (isMissing(value)) return null;
    if (typeof value === "boolean") throw new InvalidValue("not a recognised nationality");
    if (isInt(value)) value = String(value);
    if (typeof value !== "string") throw new InvalidValue("nationality must be text or a numeric code");
    return normaliseNatText(value);
  }
  function nationalityRegion(code) {
    if (!has(NAT.continents, code)) throw new InvalidValue("not a canonical nationality code");
    return NAT.continents[code];
  }

  /* ------------------------------------------------------------------ text fields (FEBRL-style schemas) */
  function resolveText(spec) {
    const strip = spec.normalisation.strip || "spaces";
    return (value) => {
      const t = pyLower(toAscii(pyStr(value)));
      const out = strip === "spaces" ? pySplit(t).join("") : pySplit(t).join(" ");
      return out || null;
    };
  }

  /* ------------------------------------------------------------------ field types: read a table (linkage.fieldtypes) */
  // cols: { values(name) -> [label|null, cells|null] } as linkage.normalise.cells.ColumnTable with a mapping.
  function readSingleColumn(spec, cols, n, problems, resolve, allowed) {
    const [label, column] = cols.values(spec.name);
    const out = new Array(n).fill(null);
    if (column === null) return out;
    const fn = memo(resolve);
    for (let i = 0; i < n; i++) {
      const value = clean(column[i]);
      if (value === null) continue;
      const result = fn(value);
      if (isFailure(result)) { problems.push({ row: i + 1, field: label, reason: result.failure.reason }); continue; }
      if (allowed && result !== null && !allowed.includes(result)) {
        problems.push({ row: i + 1, field: label, reason: "value not allowed by the schema" });
        continue;
      }
      out[i] = result;
    }
    return out;
  }
  function readInitials(spec, cols, n, problems) {
    const [givenLabel, given] = cols.values("given_names");
    const [surnameLabel, surname] = cols.values("surname");
    const [fullLabel, fullCol] = cols.values("full_name");
    const [initLabel, init] = cols.values(spec.name);
    const givenFn = memo((v) => givenNameInitial(requireText(v, "given names")));
    const surnameFn = memo((v) => surnameInitial(requireText(v, "a surname")));
    const fullFn = memo((v) => initialsFromName(requireText(v, "a full name")));
    const initFn = memo((v) => parseInitials(requireText(v, "initials")));
    const out = new Array(n).fill(null);
    for (let i = 0; i < n; i++) {
      const g = given !== null ? clean(given[i]) : null;
      const s = surname !== null ? clean(surname[i]) : null;
      if (g !== null || s !== null) {
        const parts = [];
        let failed = false;
        for (const [value, fn, label] of [[g, givenFn, givenLabel], [s, surnameFn, surnameLabel]]) {
          if (value === null) continue;
          const letter = fn(value);
          if (isFailure(letter)) { problems.push({ row: i + 1, field: label, reason: letter.failure.reason }); failed = true; continue; }
          if (letter !== null) parts.push(letter);
        }
        if (!failed) out[i] = parts.join("") || null;
        continue;
      }
      for (const [column, fn, label] of [[fullCol, fullFn, fullLabel], [init, initFn, initLabel]]) {
        if (column === null) continue;
        const value = clean(column[i]);
        if (value === null) continue;
        const result = fn(value);
        if (isFailure(result)) problems.push({ row: i + 1, field: label, reason: result.failure.reason });
        else out[i] = result;
        break;
      }
    }
    return out;
  }
  function readYear(spec, cols, n, problems) {
    const norm = spec.normalisation;
    const opts = {
      age_uncertainty: norm.age_uncertainty ?? 1, min_year: norm.min_year ?? 1900, max_age: norm.max_age ?? 110,
    };
    const sources = {
      date_of_birth: cols.values("date_of_birth"), birth_year: cols.values(spec.name),
      age: cols.values("age"), report_date: cols.values("report_date"),
    };
    if (["date_of_birth", "birth_year", "age"].every((s) => sources[s][1] === null)) return new Array(n).fill(null);
    const labels = {};
    for (const s of Object.keys(sources)) labels[s] = sources[s][0] || s;
    labels.birth_year = sources.birth_year[0] || spec.name;
    const fn = memo((a, b, c, d) => resolveBirthYear(a, b, c, d, opts));
    const cells = ["date_of_birth", "birth_year", "age", "report_date"].map((s) => sources[s][1]);
    const out = new Array(n).fill(null);
    for (let i = 0; i < n; i++) {
      const args = cells.map((c) => (c !== null ? clean(c[i]) : null));
      const result = fn(...args);
      if (isFailure(result)) {
        const source = result.failure.source || "birth_year";
        problems.push({ row: i + 1, field: labels[source], reason: result.failure.reason });
      } else out[i] = result;
    }
    return out;
  }
  function readField(spec, cols, n, problems) {
    switch (spec.type) {
      case "initials": return readInitials(spec, cols, n, problems);
      case "year": return readYear(spec, cols, n, problems);
      case "country": return readSingleColumn(spec, cols, n, problems, resolveNationality);
      case "sex": {
        const allowed = Array.isArray(spec.normalisation.values) ? spec.normalisation.values : null;
        return readSingleColumn(spec, cols, n, problems, resolveSex, allowed);
      }
      case "text": return readSingleColumn(spec, cols, n, problems, resolveText(spec));
      default: throw new PageError("unknown field type " + spec.type);
    }
  }

  /* ------------------------------------------------------------------ normalise a table (linkage.normalise._records) */
  class ColumnTable {
    constructor(table, mapping) {
      this.table = table; this.byName = new Map(); this.cells = new Map(); this.used = [];
      for (const [name, label] of Object.entries(mapping)) this.byName.set(name.toLowerCase(), label);
    }
    values(name) {
      const label = this.byName.get(name.toLowerCase());
      if (label === undefined) return [null, null];
      if (!this.used.includes(label)) this.used.push(label);
      let cells = this.cells.get(label);
      if (cells === undefined) { cells = this.table.columns[label].slice(); this.cells.set(label, cells); }
      return [label, cells];
    }
    blank(label, index) { const c = this.cells.get(label); if (c !== undefined) c[index] = null; }
  }
  function normaliseTable(table, mapping, fields, invalid) {
    const n = table.rows.length;
    const cols = new ColumnTable(table, mapping);
    const result = {};
    const rejected = [];
    const counts = [];
    fields.forEach((spec, index) => {
      const before = cols.used.length;
      let problems = [];
      let values = readField(spec, cols, n, problems);
      let fieldColumns = cols.used.slice(before);
      const cellProblems = problems.slice();
      if (invalid === "missing") {
        const seen = new Set();
        while (problems.length) {
          for (const p of problems) { seen.add(p.row + "\u0000" + p.field); cols.blank(p.field, p.row - 1); }
          problems = [];
          values = readField(spec, cols, n, problems);
          problems = problems.filter((p) => !seen.has(p.row + "\u0000" + p.field));
          cellProblems.push(...problems);
          fieldColumns = [...new Set([...fieldColumns, ...cols.used.slice(before)])];
        }
      }
      const badRows = new Set();
      for (const p of cellProblems) {
        badRows.add(p.row);
        rejected.push({ order: [p.row, index], row: table.rows[p.row - 1], field: spec.name, column: p.field,
          reason: p.reason, index: p.row - 1 });
      }
      result[spec.name] = values;
      const read = values.filter((v) => v !== null).length;
      counts.push({ field: spec.name, columns: fieldColumns, read, missing: n - read, refused: badRows.size });
    });
    rejected.sort((a, b) => (a.order[0] - b.order[0]) || (a.order[1] - b.order[1]));
    let withoutFields = 0;
    for (let i = 0; i < n; i++) if (fields.every((f) => result[f.name][i] === null)) withoutFields++;
    return { values: result, rejected, fields: counts, records: n, withoutFields, invalid };
  }

  /* ------------------------------------------------------------------ tokens (linkage.fieldtypes) */
  const LETTER_CLASSES = { EIJY: "EIJY", GH: "GH", CKQ: "CKQ", CT: "CT", SZ: "SZ", VW: "VW" };
  function letterClasses(ch) { return Object.keys(LETTER_CLASSES).filter((k) => LETTER_CLASSES[k].includes(ch)); }
  function qgrams(value, q) {
    const pad = "_".repeat(q - 1);
    const padded = [...(pad + value + pad)];
    const seen = [];
    for (let i = 0; i + q <= padded.length; i++) {
      const g = padded.slice(i, i + q).join("");
      if (!seen.includes(g)) seen.push(g);
    }
    return seen;
  }
  function tokensOf(spec, value) {
    const types = spec.tokens;
    const out = [];
    switch (spec.type) {
      case "initials": {
        const letters = [...value];
        if (types.includes("position")) letters.forEach((ch, i) => out.push(`p${i + 1}:${ch}`));
        if (letters.length === 2) {
          if (types.includes("pair")) out.push(`pair:${value}`);
          if (types.includes("unordered")) out.push("set:" + letters.slice().sort().join(""));
        }
        if (types.includes("letter_class")) letters.forEach((ch, i) => letterClasses(ch).forEach((c) => out.push(`c${i + 1}:${c}`)));
        return out;
      }
      case "year": {
        const radius = spec.normalisation.radius ?? 1;
        const [lo, hi] = value;
        if (types.includes("neighbourhood")) for (let y = lo - radius; y <= hi + radius; y++) out.push(`n:${y}`);
        if (types.includes("exact") && lo === hi) out.push(`x:${lo}`);
        return out;
      }
      case "country":
        if (types.includes("code")) out.push(`c:${value}`);
        if (types.includes("region")) out.push(`r:${nationalityRegion(value)}`);
        return out;
      case "sex":
        return types.includes("value") ? [`s:${value}`] : [];
      case "text":
        if (types.includes("bigram")) qgrams(value, 2).forEach((g) => out.push("b:" + g));
        if (types.includes("trigram")) qgrams(value, 3).forEach((g) => out.push("t:" + g));
        if (types.includes("exact")) out.push("x:" + value);
        return out;
      default: throw new PageError("unknown field type " + spec.type);
    }
  }
  function saltText(spec, value, band) {
    if (spec.type === "year") return String(Math.floor(value[0] / (band || 1)));
    return String(value);
  }

  /* ------------------------------------------------------------------ Web Crypto (HMAC, HKDF, SHA-256, AES-CTR, Ed25519) */
  async function sha256(bytes) { return new Uint8Array(await subtle.digest("SHA-256", bytes)); }
  async function hmacKey(raw) { return subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]); }
  async function hmac(key, data) { return new Uint8Array(await subtle.sign("HMAC", key, data)); }
  async function hkdf(secretKey, info, length) {
    const bits = await subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: TE.encode(info) },
      secretKey, 8 * length);
    return new Uint8Array(bits);
  }
  async function keystream(rawKey, nbytes, kind) {
    if (kind !== "aes-256-ctr") throw new PageError("unsupported keystream " + kind);
    const key = await subtle.importKey("raw", rawKey, "AES-CTR", false, ["encrypt"]);
    const out = await subtle.encrypt({ name: "AES-CTR", counter: new Uint8Array(16), length: 64 }, key, new Uint8Array(nbytes));
    return new Uint8Array(out);
  }
  async function keyedPermutation(subkey, length, kind) {
    const ks = await keystream(subkey, 8 * length, kind);
    const view = new DataView(ks.buffer);
    const values = new Array(length);
    for (let i = 0; i < length; i++) values[i] = view.getBigUint64(8 * i, true);
    const idx = Array.from({ length }, (_, i) => i);
    idx.sort((a, b) => (values[a] < values[b] ? -1 : values[a] > values[b] ? 1 : a - b));
    return Int32Array.from(idx);
  }

  /* ------------------------------------------------------------------ the linkage secret (linkage.encode._secret) */
  const SECRET_HEADER = "-----BEGIN LINKAGE SECRET-----", SECRET_FOOTER = "-----END LINKAGE SECRET-----";
  const MAGIC = TE.encode("LNKSUB\u0000\u0001");
  function fileKind(bytes) {
    const head = bytes.subarray(0, 4096);
    if (startsWith(head, TE.encode("LNKSUB\u0000"))) return "submission";
    if (indexOfBytes(head, TE.encode(SECRET_HEADER), 4096) >= 0) return "secret";
    if (indexOfBytes(head, TE.encode("PRIVATE KEY-----"), 4096) >= 0) return "private_key";
    if (indexOfBytes(head, TE.encode("-----BEGIN PUBLIC KEY-----"), 4096) >= 0) return "public_key";
    return null;
  }
  async function readLinkageSecret(bytes) {
    const kind = fileKind(bytes);
    if (kind === "private_key") throw new PageError("msg_secret_is_signing");
    if (kind === "public_key") throw new PageError("msg_secret_is_public");
    if (kind === "submission") throw new PageError("msg_secret_is_submission");
    let text;
    try { text = new TextDecoder("ascii", { fatal: true }).decode(bytes); } catch (e) { throw new PageError("msg_not_secret"); }
    if (/[^\x00-\x7f]/.test(text)) throw new PageError("msg_not_secret");
    const lines = text.trim().split(/\r\n|\r|\n/).map((l) => l.trim()).filter((l) => l);
    if (lines.length !== 3 || lines[0] !== SECRET_HEADER || lines[2] !== SECRET_FOOTER) throw new PageError("msg_not_secret");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(lines[1]) || lines[1].length % 4 !== 0) throw new PageError("msg_secret_corrupt");
    const raw = b64decode(lines[1]);
    if (raw.length !== 32) throw new PageError("msg_secret_corrupt");
    const hkdfKey = await subtle.importKey("raw", raw, "HKDF", false, ["deriveBits"]);
    raw.fill(0);
    const keyId = "kid-" + hex(await hkdf(hkdfKey, "linkage/v1/key-id", 16));
    return {
      keyId,
      fieldSubkey: (name) => hkdf(hkdfKey, "linkage/v1/field/" + name, 32),
      subkey: (purpose) => hkdf(hkdfKey, "linkage/v1/purpose/" + purpose, 32),
    };
  }
  async function readSigningKey(bytes) {
    const kind = fileKind(bytes);
    if (kind === "secret") throw new PageError("msg_signing_is_secret");
    if (kind === "public_key") throw new PageError("msg_signing_is_public");
    if (kind === "submission") throw new PageError("msg_signing_is_submission");
    const text = new TextDecoder("utf-8").decode(bytes);
    const m = /-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\s]+)-----END PRIVATE KEY-----/.exec(text);
    if (!m) throw new PageError("msg_not_signing");
    let key, jwk;
    const der = b64decode(m[1].replace(/\s+/g, ""));
    try {
      // once extractable, only to learn the public key (the signer id); the key that signs cannot be exported
      jwk = await subtle.exportKey("jwk", await subtle.importKey("pkcs8", der, { name: "Ed25519" }, true, ["sign"]));
      key = await subtle.importKey("pkcs8", der, { name: "Ed25519" }, false, ["sign"]);
    } catch (e) {
      throw new PageError("msg_not_ed25519");
    } finally {
      der.fill(0);
    }
    delete jwk.d;
    const pub = b64decode(jwk.x.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(jwk.x.length / 4) * 4, "="));
    const signer = "ed25519-" + hex(await sha256(pub)).slice(0, 16);
    return { signer, sign: async (data) => new Uint8Array(await subtle.sign({ name: "Ed25519" }, key, data)) };
  }

  /* ------------------------------------------------------------------ encode (linkage.encode._bloom, _hardening) */
  function segmentsOf(length, fields) {
    const free = fields.map((f, i) => (f.segment_bits === undefined ? i : -1)).filter((i) => i >= 0);
    const restWords = Math.floor((length - fields.reduce((s, f) => s + (f.segment_bits || 0), 0)) / 64);
    const sizes = fields.map((f) => f.segment_bits || 0);
    free.forEach((i, j) => { sizes[i] = 64 * (Math.floor(restWords / free.length) + (j < restWords % free.length ? 1 : 0)); });
    const out = [];
    let offset = 0;
    for (const size of sizes) { out.push([offset, size]); offset += size; }
    return out;
  }
  function blipProbability(epsilon, k) { return 1 / (1 + Math.exp(epsilon / k)); }
  async function tokenPositions(key, token, k, length, salt) {
    let data = TE.encode(token);
    if (salt !== null) data = concat([u16be(salt.length), salt, data]);
    const out = [];
    let block = 0;
    while (out.length < k) {
      const digest = await hmac(key, concat([u32be(block), data]));
      const view = new DataView(digest.buffer);
      for (let i = 0; i < 32; i += 4) {
        out.push(view.getUint32(i, false) % length);
        if (out.length === k) break;
      }
      block++;
    }
    return out;
  }
  function saltTag(value, spec, band) {
    if (value === null) return TE.encode("?");
    return TE.encode("=" + saltText(spec, value, band));
  }
  function packBits(bits) {
    const out = new Uint8Array(bits.length >> 3);
    for (let p = 0; p < bits.length; p++) if (bits[p]) out[p >> 3] |= 1 << (p & 7);
    return out;
  }
  async function encodeRecords(values, schema, secret, progress, rows) {
    const plan = schema.plan;
    const fields = schema.fields;
    const n = values[fields[0].name].length;
    const L = plan.filter_length;
    const h = plan.hardening;
    const salts = new Array(n).fill(null);
    if (h.salt_field !== null) {
      const spec = fields.find((f) => f.name === h.salt_field);
      for (let r = 0; r < n; r++) salts[r] = saltTag(values[h.salt_field][r], spec, h.salt_band);
    }
    // Per field and record: the bit positions of its value (computed once per distinct value and salt).
    // Records keep only references to these shared lists; each filter is built, hardened and packed in turn,
    // so memory grows with the packed output, not with n plain filters.
    const positionsOf = fields.map(() => new Array(n).fill(null));
    const presence = new Uint16Array(n);
    let done = 0;
    const total = fields.length * n;
    for (let i = 0; i < fields.length; i++) {
      const spec = fields[i];
      const key = await hmacKey(await secret.fieldSubkey(spec.name));
      const [offset, seg] = spec.segment;
      const cache = new Map();
      for (let r = 0; r < n; r++) {
        const value = values[spec.name][r];
        if (value === null) { done++; continue; }
        presence[r] |= 1 << i;
        const ck = JSON.stringify(value) + "\u0000" + (salts[r] === null ? "" : hex(salts[r]));
        let positions = cache.get(ck);
        if (positions === undefined) {
          const set = new Set();
          for (const t of tokensOf(spec, value)) {
            for (const p of await tokenPositions(key, t, spec.bits_per_token, seg, salts[r])) set.add(offset + p);
          }
          positions = [...set];
          cache.set(ck, positions);
        }
        positionsOf[i][r] = positions;
        if (++done % 256 === 0 && progress) progress(done, total);
      }
    }
    const active = h.flip_threshold !== null || h.balance || h.fold || h.permute;
    let blipKey = null;
    if (h.flip_threshold !== null) blipKey = await hmacKey(await secret.subkey("blip"));
    const balancePerm = h.balance ? await keyedPermutation(await secret.subkey("balance"), 2 * L, h.keystream) : null;
    const finalPerm = h.permute ? await keyedPermutation(await secret.subkey("permutation"), plan.output_length, h.keystream) : null;
    const prefix = concat([TE.encode("linkage/v1/blip\u0000"), u32be(0)]);
    const rowPrefix = concat([TE.encode("linkage/v1/blip-row\u0000"), u32be(0)]);
    const maskCache = new Map();
    const out = [];
    for (let r = 0; r < n; r++) {
      let b = new Uint8Array(L);
      for (let i = 0; i < fields.length; i++) {
        const positions = positionsOf[i][r];
        if (positions !== null) for (const p of positions) b[p] = 1;
      }
      if (h.flip_threshold !== null) {
        const packed = packBits(b);
        // blip_noise "row": the record's row in the file enters the noise key (docs/encoding.md)
        const row = rows ? rows[r] : r + 1;
        const rowBytes = concat([u32be(Math.floor(row / 4294967296)), u32be(row >>> 0)]);
        const ck = h.blip_noise === "row" ? null : hex(packed);
        let mask = ck === null ? undefined : maskCache.get(ck);
        if (mask === undefined) {
          const rkey = h.blip_noise === "row" ? await hmac(blipKey, concat([rowPrefix, rowBytes, packed]))
            : await hmac(blipKey, concat([prefix, packed]));
          const draws = await keystream(rkey, 4 * L, h.keystream);
          const view = new DataView(draws.buffer);
          mask = new Uint8Array(L);
          for (let p = 0; p < L; p++) mask[p] = view.getUint32(4 * p, true) < h.flip_threshold ? 1 : 0;
          if (ck !== null) maskCache.set(ck, mask);
        }
        const flipped = new Uint8Array(L);
        for (let p = 0; p < L; p++) flipped[p] = b[p] ^ mask[p];
        b = flipped;
      }
      if (balancePerm !== null) {
        const both = new Uint8Array(2 * L);
        for (let p = 0; p < L; p++) { both[p] = b[p]; both[L + p] = b[p] ^ 1; }
        b = new Uint8Array(2 * L);
        for (let p = 0; p < 2 * L; p++) b[p] = both[balancePerm[p]];
      }
      if (h.fold) {
        const half = b.length >> 1;
        const folded = new Uint8Array(half);
        for (let p = 0; p < half; p++) folded[p] = b[p] ^ b[half + p];
        b = folded;
      }
      if (finalPerm !== null) {
        const permuted = new Uint8Array(b.length);
        for (let p = 0; p < b.length; p++) permuted[p] = b[finalPerm[p]];
        b = permuted;
      }
      if (active && presence[r] === 0) b = new Uint8Array(b.length);
      out.push(packBits(b));
    }
    return { filters: out, presence };
  }

  /* ------------------------------------------------------------------ the signed submission (linkage.submission._format) */
  function pyJsonString(s) {
    let out = '"';
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      const ch = s[i];
      if (ch === '"') out += '\\"';
      else if (ch === "\\") out += "\\\\";
      else if (ch === "\n") out += "\\n";
      else if (ch === "\r") out += "\\r";
      else if (ch === "\t") out += "\\t";
      else if (ch === "\b") out += "\\b";
      else if (ch === "\f") out += "\\f";
      else if (c >= 0x20 && c <= 0x7e) out += ch;
      else out += "\\u" + c.toString(16).padStart(4, "0");
    }
    return out + '"';
  }
  // json.dumps(obj, sort_keys=True, separators=(",", ":")): strings, integers, objects; {raw: text} is inserted as is.
  function pyJson(v) {
    if (v !== null && typeof v === "object" && typeof v.raw === "string") return v.raw;
    if (typeof v === "string") return pyJsonString(v);
    if (typeof v === "number") { if (!Number.isInteger(v)) throw new PageError("non-integer in header"); return String(v); }
    if (v !== null && typeof v === "object") {
      return "{" + Object.keys(v).sort().map((k) => pyJsonString(k) + ":" + pyJson(v[k])).join(",") + "}";
    }
    throw new PageError("cannot serialise header value");
  }
  async function randomness(n, purpose) {
    if (TEST !== null) {
      const key = await hmacKey(fromHex(TEST.seed_hex));
      const parts = [];
      let have = 0;
      for (let counter = 0; have < n; counter++) {
        const block = await hmac(key, concat([TE.encode(purpose), new Uint8Array([0]), u32be(counter)]));
        parts.push(block);
        have += block.length;
      }
      return concat(parts).subarray(0, n);
    }
    const out = new Uint8Array(n);
    for (let o = 0; o < n; o += 65536) crypto.getRandomValues(out.subarray(o, Math.min(n, o + 65536)));
    return out;
  }
  function createdNow() {
    if (TEST !== null && typeof TEST.created === "string") return TEST.created;
    return new Date().toISOString().replace(/\.\d{3}Z$/, "+00:00");
  }
  async function signSubmission(encoded, schema, reporterId, signing, keyId, droppedCells) {
    const n = encoded.filters.length;
    const words = schema.plan.output_length / 64;
    const ids = await randomness(16 * n, "linkage/test/record-ids");
    const recordBytes = 16 + 2 + 8 * words;
    const body = new Uint8Array(n * recordBytes);
    for (let r = 0; r < n; r++) {
      const o = r * recordBytes;
      body.set(ids.subarray(16 * r, 16 * r + 16), o);
      body[o + 16] = encoded.presence[r] & 255;
      body[o + 17] = encoded.presence[r] >> 8;
      body.set(encoded.filters[r], o + 18);
    }
    const submissionId = hex(await randomness(16, "linkage/test/submission-id"));
    const header = {
      format: "linkage-submission",
      format_version: CONFIG.format_version,
      schema_fingerprint: schema.fingerprint,
      schema: { raw: CONFIG.schema_header_json },
      key_id: keyId,
      reporter_id: reporterId,
      signer: signing.signer,
      submission_id: submissionId,
      created: createdNow(),
      record_count: n,
      filter_words: words,
      payload_length: body.length,
      payload_sha256: hex(await sha256(body)),
    };
    if (droppedCells !== null) header.dropped_cells = droppedCells;
    const headerBytes = TE.encode(pyJson(header));
    const prefix = concat([MAGIC, u32be(headerBytes.length), headerBytes]);
    const signature = await signing.sign(concat([TE.encode("linkage/submission/v1\u0000"), prefix]));
    const recordIds = [];
    for (let r = 0; r < n; r++) recordIds.push(hex(ids.subarray(16 * r, 16 * r + 16)));
    return { data: concat([prefix, signature, body]), recordIds };
  }
  function csvField(s) {
    return /[,"\n]/.test(s) ? '"' + s.split('"').join('""') + '"' : s;
  }
  function idMapCsv(recordIds, rows, caseRefs) {
    const lines = ["record_id,row,case_ref"];
    for (let r = 0; r < recordIds.length; r++) {
      const ref = caseRefs === null || caseRefs[r] === null ? "" : csvField(caseRefs[r]);
      lines.push(`${recordIds[r]},${rows[r]},${ref}`);
    }
    return TE.encode(lines.join("\n") + "\n");
  }
  function rejectsCsv(rejected) {
    const lines = ["row,field,column,reason"];
    for (const r of rejected) lines.push([String(r.row), csvField(r.field), csvField(r.column), csvField(r.reason)].join(","));
    return TE.encode(lines.join("\n") + "\n");
  }

  /* ------------------------------------------------------------------ reading a reporter's file (linkage.intake._read) */
  const DELIMITERS = [",", ";", "\t", "|"];
  const DELIMITER_NAMES = { ",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar" };
  function lineOf(text, index) { return text.slice(0, index).split("\n").length; }
  function decodeText(bytes, name) {
    const boms = [[[0xff, 0xfe, 0, 0], "utf-32le"], [[0, 0, 0xfe, 0xff], "utf-32be"], [[0xef, 0xbb, 0xbf], "utf-8"],
      [[0xff, 0xfe], "utf-16le"], [[0xfe, 0xff], "utf-16be"]];
    for (const [bom, enc] of boms) {
      if (startsWith(bytes, bom)) {
        if (enc.startsWith("utf-32")) throw new PageError("msg_utf32");
        try {
          const text = new TextDecoder(enc, { fatal: true, ignoreBOM: true }).decode(bytes.subarray(bom.length));
          return { text, encoding: enc === "utf-8" ? "utf-8-sig" : "utf-16", how: "byte-order mark" };
        } catch (e) {
          throw new PageError("msg_bad_text", { file: name, encoding: enc });
        }
      }
    }
    const sample = bytes.subarray(0, 4096);
    if (sample.length >= 4) {
      const even = [], odd = [];
      for (let i = 0; i < sample.length; i++) (i % 2 ? odd : even).push(sample[i]);
      const zeros = (a) => a.filter((b) => b === 0).length;
      for (const [z, other, enc] of [[odd, even, "utf-16le"], [even, odd, "utf-16be"]]) {
        if (zeros(z) >= 0.9 * z.length && zeros(other) < 0.1 * z.length) {
          try { return { text: new TextDecoder(enc, { fatal: true }).decode(bytes), encoding: enc.replace("le", "-le").replace("be", "-be"), how: "detected" }; } catch (e) { break; }
        }
      }
    }
    try { return { text: new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes), encoding: "utf-8", how: "valid UTF-8" }; } catch (e) { /* not UTF-8 */ }
    if (bytes.includes(0)) throw new PageError("msg_binary", { file: name });
    const text = new TextDecoder("windows-1252").decode(bytes);
    // Cyrillic (cp1251) or Central European text read as Windows-1252 turns into runs of accented Latin letters.
    const suspect = /[\u00c0-\u00ff]{3,}/.test(text);
    return { text, encoding: "cp1252", how: "not UTF-8: read as Windows-1252", suspect };
  }
  // Python's csv.reader (default dialect: doublequote, quotechar '"', not strict) over lines as io.StringIO(newline="") gives them.
  function splitLinesKeepEnds(text) {
    const out = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === "\n") { out.push(text.slice(start, i + 1)); start = i + 1; }
      else if (c === "\r") {
        if (text[i + 1] === "\n") { out.push(text.slice(start, i + 2)); start = i + 2; i++; }
        else { out.push(text.slice(start, i + 1)); start = i + 1; }
      }
    }
    if (start < text.length) out.push(text.slice(start));
    return out;
  }
  class CsvError extends Error {}
  function* csvReader(lines, delimiter) {
    const EOL = null;
    let state = "START_RECORD", fields = [], field = "", fieldLen = 0, lineNum = 0;
    const save = () => { fields.push(field); field = ""; fieldLen = 0; };
    const add = (c) => { field += c; fieldLen++; };
    function step(c) {
      switch (state) {
        case "START_RECORD":
          if (c === EOL) return;
          if (c === "\n" || c === "\r") { state = "EAT_CRNL"; return; }
          state = "START_FIELD";
        // falls through
        case "START_FIELD":
          if (c === "\n" || c === "\r" || c === EOL) { save(); state = c === EOL ? "START_RECORD" : "EAT_CRNL"; }
          else if (c === '"') state = "IN_QUOTED_FIELD";
          else if (c === delimiter) save();
          else { add(c); state = "IN_FIELD"; }
          return;
        case "IN_FIELD":
          if (c === "\n" || c === "\r" || c === EOL) { save(); state = c === EOL ? "START_RECORD" : "EAT_CRNL"; }
          else if (c === delimiter) { save(); state = "START_FIELD"; }
          else add(c);
          return;
        case "IN_QUOTED_FIELD":
          if (c === EOL) return;
          if (c === '"') state = "QUOTE_IN_QUOTED_FIELD";
          else add(c);
          return;
        case "QUOTE_IN_QUOTED_FIELD":
          if (c === '"') { add('"'); state = "IN_QUOTED_FIELD"; }
          else if (c === delimiter) { save(); state = "START_FIELD"; }
          else if (c === "\n" || c === "\r" || c === EOL) { save(); state = c === EOL ? "START_RECORD" : "EAT_CRNL"; }
          else { add(c); state = "IN_FIELD"; }
          return;
        case "EAT_CRNL":
          if (c === "\n" || c === "\r") return;
          if (c === EOL) { state = "START_RECORD"; return; }
          throw new CsvError("new-line character seen in unquoted field");
      }
    }
    let i = 0;
    while (true) {
      fields = [];
      do {
        if (i >= lines.length) {
          if (fieldLen !== 0 || state === "IN_QUOTED_FIELD") { save(); state = "START_RECORD"; yield { row: fields, line: lineNum }; }
          return;
        }
        const line = lines[i++];
        lineNum++;
        for (const c of line) step(c);
        step(EOL);
      } while (state !== "START_RECORD");
      yield { row: fields, line: lineNum };
    }
  }
  function pySplitLines(text) {
    return text.split(/\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]/).filter((l, i, a) => !(i === a.length - 1 && l === ""));
  }
  function rowWidth(row) { let n = row.length; while (n && !pyStrip(row[n - 1])) n--; return n; }
  function sniff(lines) {
    let best = null, choice = ",";
    DELIMITERS.forEach((d, rank) => {
      let rows;
      try { rows = [...csvReader(lines, d)].map((r) => r.row).filter((r) => r.some((c) => pyStrip(c))); } catch (e) { return; }
      if (!rows.length) return;
      const width = rows[0].length;
      if (width < 2) return;
      const same = rows.slice(1).filter((r) => r.length === width || rowWidth(r) === width).length;
      const share = rows.length > 1 ? same / Math.max(rows.length - 1, 1) : 1.0;
      const score = [share, width, -rank];
      const better = best === null || score[0] > best[0] || (score[0] === best[0] && (score[1] > best[1] || (score[1] === best[1] && score[2] > best[2])));
      if (better) { best = score; choice = d; }
    });
    return choice;
  }
  function uniqueLabels(header) {
    const labels = [], used = new Set(), counts = new Map(), duplicates = [];
    header.forEach((h, idx) => {
      let text = pyStrip(h);
      if (!text) text = `(column ${idx + 1})`;
      const key = text.toLowerCase();
      counts.set(key, (counts.get(key) || 0) + 1);
      if (counts.get(key) > 1 && !duplicates.includes(text)) duplicates.push(text);
      let label = text, n = counts.get(key);
      while (used.has(label.toLowerCase())) { label = `${text} (${n})`; n++; }
      used.add(label.toLowerCase());
      labels.push(label);
    });
    return { labels, duplicates };
  }
  function buildTable(name, header, records, rows, info) {
    const keep = [];
    header.forEach((h, i) => {
      if ((typeof h === "string" && pyStrip(h)) || records.some((r) => i < r.length && r[i] !== null)) keep.push(i);
    });
    const kept = keep.map((i) => header[i]);
    const { labels, duplicates } = uniqueLabels(kept);
    if (!labels.length) throw new PageError("msg_no_columns", { file: name });
    const columns = {};
    labels.forEach((label, j) => { columns[label] = records.map((r) => (keep[j] < r.length ? r[keep[j]] : null)); });
    return { labels, columns, rows, info: Object.assign(info, { duplicates }) };
  }
  function trailing(rows, last) { return last - (rows.length ? rows[rows.length - 1] : 0); }
  function readText(bytes, name) {
    let { text, encoding, how, suspect } = decodeText(bytes, name);
    if (text.startsWith("\ufeff")) text = text.slice(1);
    if (text.includes("\u0000")) throw new PageError("msg_nul", { file: name, line: lineOf(text, text.indexOf("\u0000")) });
    const headLines = pySplitLines(text).slice(0, 400).filter((l) => pyStrip(l));
    if (!headLines.length) throw new PageError("msg_empty", { file: name });
    const delimiter = sniff(headLines.slice(0, 200));
    let header = null;
    const records = [], rows = [];
    let blank = 0, rowNumber = 0;
    try {
      for (const { row: raw, line } of csvReader(splitLinesKeepEnds(text), delimiter)) {
        if (header === null) { if (raw.some((c) => pyStrip(c))) header = raw.slice(); continue; }
        rowNumber++;
        if (!raw.some((c) => pyStrip(c))) { blank++; continue; }
        let cells = raw.map((c) => (pyStrip(c) ? c : null));
        if (cells.length > header.length) {
          if (cells.slice(header.length).some((c) => c !== null))
            throw new PageError("msg_too_many_fields", { file: name, line, fields: rowWidth(raw), header: header.length, delimiter: DELIMITER_NAMES[delimiter] });
          cells = cells.slice(0, header.length);
        }
        records.push(cells);
        rows.push(rowNumber);
      }
    } catch (e) {
      if (e instanceof CsvError) throw new PageError("msg_bad_csv", { file: name });
      throw e;
    }
    blank -= trailing(rows, rowNumber);
    if (header === null) throw new PageError("msg_empty", { file: name });
    return buildTable(name, header, records, rows, { name, format: "csv", encoding, how, delimiter: DELIMITER_NAMES[delimiter], blank,
      suspect: suspect === true });
  }

  /* ------------------------------------------------------------------ Excel workbooks (what openpyxl gives linkage.intake) */
  async function unzip(bytes, name) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let eocd = -1;
    for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65557); i--) {
      if (view.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
    }
    if (eocd < 0) throw new PageError("msg_bad_xlsx", { file: name });
    const count = view.getUint16(eocd + 10, true);
    let p = view.getUint32(eocd + 16, true);
    const entries = new Map();
    for (let k = 0; k < count; k++) {
      if (p + 46 > bytes.length || view.getUint32(p, true) !== 0x02014b50) throw new PageError("msg_bad_xlsx", { file: name });
      const method = view.getUint16(p + 10, true);
      const csize = view.getUint32(p + 20, true);
      const nameLen = view.getUint16(p + 28, true), extraLen = view.getUint16(p + 30, true), commentLen = view.getUint16(p + 32, true);
      const local = view.getUint32(p + 42, true);
      const entryName = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
      entries.set(entryName, { method, csize, local });
      p += 46 + nameLen + extraLen + commentLen;
    }
    return async function read(entryName) {
      const e = entries.get(entryName);
      if (e === undefined) return null;
      if (e.local + 30 > bytes.length || view.getUint32(e.local, true) !== 0x04034b50) throw new PageError("msg_bad_xlsx", { file: name });
      const start = e.local + 30 + view.getUint16(e.local + 26, true) + view.getUint16(e.local + 28, true);
      const data = bytes.subarray(start, start + e.csize);
      if (e.method === 0) return data;
      if (e.method !== 8) throw new PageError("msg_bad_xlsx", { file: name });
      try { return await inflateRaw(data); } catch (err) { throw new PageError("msg_bad_xlsx", { file: name }); }
    };
  }
  function parseXml(bytes, name) {
    const doc = new DOMParser().parseFromString(new TextDecoder().decode(bytes), "application/xml");
    if (doc.getElementsByTagName("parsererror").length) throw new PageError("msg_bad_xlsx", { file: name });
    return doc;
  }
  function childrenNamed(el, local) { return Array.from(el.childNodes).filter((c) => c.nodeType === 1 && c.localName === local); }
  function textContentOfString(si) {
    // openpyxl's Text.content: the plain <t> and the <t> of each rich-text run <r>; phonetic runs left out.
    const parts = [];
    for (const c of childrenNamed(si, "t")) parts.push(c.textContent);
    for (const r of childrenNamed(si, "r")) for (const t of childrenNamed(r, "t")) parts.push(t.textContent);
    return parts.join("");
  }
  const RE_STRIP_FMT = /".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]/g;
  function isDateFormat(fmt) {
    if (fmt === null || fmt === undefined) return false;
    const first = fmt.split(";")[0].replace(RE_STRIP_FMT, "");
    return /(?<![_\\])[dmhysDMHYS]/.test(first);
  }
  function isTimedeltaFormat(fmt) {
    if (fmt === null || fmt === undefined) return false;
    return /\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?/i.test(fmt.split(";")[0]);
  }
  const BUILTIN_DATE_FORMATS = { 14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "m/d/yy h:mm", 45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0" };
  // openpyxl.utils.datetime.from_excel: a serial number in the workbook's date system -> date and time.
  function fromExcel(value, epoch1904) {
    const day = Math.floor(value);
    const fraction = value - day;
    let ms = Math.round(fraction * 86400 * 1000);
    if (value >= 0 && value < 1 && ms < 86400000) return null; // a time of day, no date
    let days = day;
    if (!epoch1904 && value > 0 && value < 60) days += 1;
    days += Math.floor(ms / 86400000);
    ms = ms % 86400000;
    const base = epoch1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
    const t = new Date(base + days * 86400000 + ms);
    if (Number.isNaN(t.getTime()) || t.getUTCFullYear() > 9999 || t.getUTCFullYear() < 1) return null;
    return { date: [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()],
      time: [t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds()] };
  }
  function timeOfDay(value) {
    const ms = Math.round((value - Math.floor(value)) * 86400 * 1000);
    const s = Math.floor(ms / 1000), micro = (ms % 1000) * 1000;
    const p = (n) => String(n).padStart(2, "0");
    return `${p(Math.floor(s / 3600))}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)}` + (micro ? "." + String(micro).padStart(6, "0") : "");
  }
  function timedeltaText(value) {
    // str(datetime.timedelta(days=value)), rounded to milliseconds as openpyxl does
    let totalMs = Math.round(value * 86400000);
    const days = Math.floor(totalMs / 86400000);
    let rest = totalMs - days * 86400000;
    const p = (n) => String(n).padStart(2, "0");
    const ms = rest % 1000; rest = (rest - ms) / 1000;
    const clock = `${Math.floor(rest / 3600)}:${p(Math.floor(rest / 60) % 60)}:${p(rest % 60)}` + (ms ? "." + String(ms * 1000).padStart(6, "0") : "");
    return days ? `${days} day${Math.abs(days) !== 1 ? "s" : ""}, ${clock}` : clock;
  }
  function colIndex(ref) {
    const m = /^([A-Z]+)/.exec(ref || "");
    if (!m) return null;
    let n = 0;
    for (const ch of m[1]) n = n * 26 + (ch.charCodeAt(0) - 64);
    return n;
  }
  function excelCell(value) {
    if (value === null) return null;
    if (typeof value === "string") return pyStrip(value) ? value : null;
    return value;
  }
  async function readXlsx(bytes, name) {
    const read = await unzip(bytes, name);
    const wbXml = await read("xl/workbook.xml");
    if (wbXml === null) throw new PageError("msg_bad_xlsx", { file: name });
    const wb = parseXml(wbXml, name);
    const pr = wb.getElementsByTagNameNS("*", "workbookPr")[0];
    const epoch1904 = pr !== undefined && ["1", "true"].includes(pr.getAttribute("date1904"));
    const sheets = Array.from(wb.getElementsByTagNameNS("*", "sheet"));
    if (!sheets.length) throw new PageError("msg_no_sheet", { file: name });
    const sheetNames = sheets.map((s) => s.getAttribute("name"));
    const ridAttr = Array.from(sheets[0].attributes).find((a) => a.localName === "id" && a.namespaceURI !== null);
    const rid = ridAttr !== undefined ? ridAttr.value : null;
    const relsXml = await read("xl/_rels/workbook.xml.rels");
    let target = null;
    if (relsXml !== null) {
      for (const rel of parseXml(relsXml, name).getElementsByTagNameNS("*", "Relationship"))
        if (rel.getAttribute("Id") === rid) target = rel.getAttribute("Target");
    }
    if (target === null) throw new PageError("msg_bad_xlsx", { file: name });
    const path = target.startsWith("/") ? target.slice(1) : "xl/" + target.replace(/^\.\//, "");
    const shared = [];
    const ssXml = await read("xl/sharedStrings.xml");
    if (ssXml !== null) {
      for (const si of childrenNamed(parseXml(ssXml, name).documentElement, "si")) shared.push(textContentOfString(si).split("x005F_").join(""));
    }
    const dateStyles = new Set(), deltaStyles = new Set();
    const stXml = await read("xl/styles.xml");
    if (stXml !== null) {
      const st = parseXml(stXml, name);
      const custom = {};
      for (const nf of st.getElementsByTagNameNS("*", "numFmt")) custom[nf.getAttribute("numFmtId")] = nf.getAttribute("formatCode");
      const xfsEl = st.getElementsByTagNameNS("*", "cellXfs")[0];
      if (xfsEl !== undefined) {
        childrenNamed(xfsEl, "xf").forEach((xf, idx) => {
          const id = xf.getAttribute("numFmtId") || "0";
          const fmt = has(custom, id) ? custom[id] : (BUILTIN_DATE_FORMATS[id] || null);
          if (isDateFormat(fmt)) dateStyles.add(idx);
          if (isTimedeltaFormat(fmt)) deltaStyles.add(idx);
        });
      }
    }
    const wsXml = await read(path);
    if (wsXml === null) throw new PageError("msg_bad_xlsx", { file: name });
    const ws = parseXml(wsXml, name);
    const dim = ws.getElementsByTagNameNS("*", "dimension")[0];
    let maxCol = null, maxRow = null;
    if (dim !== undefined) {
      const ref = dim.getAttribute("ref") || "";
      const parts = ref.split(":");
      if (parts.length === 2) {
        maxCol = colIndex(parts[1]);
        const m = /(\d+)$/.exec(parts[1]);
        maxRow = m ? parseInt(m[1], 10) : null;
      }
    }
    const rowsOut = [];
    let rowCounter = 0;
    for (const rowEl of ws.getElementsByTagNameNS("*", "row")) {
      const r = rowEl.getAttribute("r") ? parseInt(rowEl.getAttribute("r"), 10) : rowCounter + 1;
      rowCounter = r;
      if (maxRow !== null && r > maxRow) break;
      const cells = [];
      let colCounter = 0;
      for (const c of childrenNamed(rowEl, "c")) {
        const col = colIndex(c.getAttribute("r")) || colCounter + 1;
        colCounter = col;
        const t = c.getAttribute("t") || "n";
        const style = parseInt(c.getAttribute("s") || "0", 10);
        const vEl = childrenNamed(c, "v")[0];
        let value = t === "inlineStr" ? null : (vEl !== undefined && vEl.textContent ? vEl.textContent : null);
        if (value !== null) {
          if (t === "n") {
            let num = /[.eE]/.test(value) ? parseFloat(value) : parseInt(value, 10);
            if (dateStyles.has(style)) {
              if (deltaStyles.has(style)) value = timedeltaText(num);
              else if (num >= 0 && num < 1 && Math.round((num - Math.floor(num)) * 86400000) < 86400000) value = timeOfDay(num);
              else {
                const d = fromExcel(num, epoch1904);
                value = d !== null ? d : "#VALUE!";
              }
            } else value = Number.isInteger(num) && Math.abs(num) < 2 ** 53 ? num : num;
          } else if (t === "s") value = shared[parseInt(value, 10)] ?? null;
          else if (t === "b") value = parseInt(value, 10) !== 0;
          else if (t === "d") {
            const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2}))?/.exec(value);
            value = m ? { date: [+m[1], +m[2], +m[3]], time: [+(m[4] || 0), +(m[5] || 0), +(m[6] || 0)] } : value;
          }
        } else if (t === "inlineStr") {
          const is = childrenNamed(c, "is")[0];
          if (is !== undefined) value = textContentOfString(is);
        }
        cells.push([col, value]);
      }
      rowsOut.push([r, cells]);
    }
    let header = null, headerRow = 0;
    const records = [], rows = [];
    let blank = 0;
    for (const [r, cells] of rowsOut) {
      const width = maxCol !== null ? maxCol : (cells.length ? cells[cells.length - 1][0] : 0);
      const values = new Array(width).fill(null);
      for (const [col, v] of cells) if (col >= 1 && col <= width) values[col - 1] = excelCell(v);
      if (header === null) {
        if (values.some((v) => v !== null)) { header = values.map((v) => (v === null ? "" : pyStr(v))); headerRow = r; }
        continue;
      }
      if (values.every((v) => v === null)) continue;
      records.push(values);
      rows.push(r - headerRow);
    }
    if (header === null) throw new PageError("msg_empty_sheet", { file: name, sheet: sheetNames[0] });
    // Rows without a value between the header and the last record are blank rows (counted); after it, formatting.
    blank = (rows.length ? rows[rows.length - 1] : 0) - rows.length;
    return buildTable(name, header, records, rows, { name, format: "xlsx", sheet: sheetNames[0],
      otherSheets: sheetNames.slice(1), epoch1904, blank });
  }
  function excelSerialDates(table, labels) {
    if (table.info.format !== "xlsx") return 0;
    let converted = 0;
    for (const label of labels) {
      const col = table.columns[label];
      if (col === undefined) continue;
      for (let i = 0; i < col.length; i++) {
        const v = col[i];
        if (typeof v === "number" && v >= 10000 && v <= 2958465) {
          const d = fromExcel(v, table.info.epoch1904);
          if (d !== null) { col[i] = d; converted++; }
        }
      }
    }
    table.info.serialDates = converted;
    return converted;
  }

  /* ------------------------------------------------------------------ columns (linkage.intake._columns, _records) */
  const NOT_QI = new Set(["case_ref", "report_date"]);
  function headerKey(header) {
    const text = String(header).normalize("NFKD").toLowerCase().split("\u00df").join("ss");
    return (text.match(/[a-z0-9]/g) || []).join("");
  }
  const ENTRIES = new Map(CONFIG.column_names.map((e) => [e[0], { source: e[1], header: e[2], note: e[3] }]));
  function findLabel(labels, header) {
    const exact = labels.filter((l) => l === header);
    if (exact.length) return exact;
    const stripped = labels.filter((l) => pyStrip(l).toLowerCase() === pyStrip(header).toLowerCase());
    if (stripped.length) return stripped;
    const key = headerKey(header);
    return labels.filter((l) => key && headerKey(l) === key);
  }
  function findColumns(labels, schema) {
    const known = schema.sources;
    const sources = new Map(), how = new Map(), taken = new Map();
    for (const [source, header] of Object.entries(CONFIG.columns_mapping)) {
      const found = findLabel(labels, header);
      if (!found.length) throw new PageError("msg_mapped_missing", { header, source });
      if (found.length > 1) throw new PageError("msg_mapped_twice", { header });
      if (taken.has(found[0])) throw new PageError("msg_mapped_both", { header: found[0], a: taken.get(found[0]), b: source });
      sources.set(source, found[0]); how.set(source, "mapped"); taken.set(found[0], source);
    }
    const own = new Map(known.map((s) => [headerKey(s), s]));
    const candidates = new Map();
    const notUsed = [];
    const context = [];
    const addCandidate = (source, label, kind) => { if (!candidates.has(source)) candidates.set(source, []); candidates.get(source).push([label, kind]); };
    for (const label of labels) {
      if (taken.has(label)) continue;
      const key = headerKey(label);
      if (own.has(key)) { addCandidate(own.get(key), label, "name"); continue; }
      const entry = ENTRIES.get(key);
      if (entry === undefined) notUsed.push([label, "not a recognised column"]);
      else if (entry.source === "-") notUsed.push([label, entry.note || "known, not read"]);
      else if (entry.source === "full_name|surname") context.push(label);
      else if (!known.includes(entry.source)) notUsed.push([label, `the schema has no field that reads ${entry.source}`]);
      else addCandidate(entry.source, label, "built-in");
    }
    for (const label of context) {
      const hasGiven = sources.has("given_names") || candidates.has("given_names");
      const target = hasGiven ? "surname" : "full_name";
      if (known.includes(target) && !sources.has(target) && !candidates.has(target)) candidates.set(target, [[label, "built-in"]]);
      else notUsed.push([label, `'naam'/'name' is read as ${target} only once; map it with --columns`]);
    }
    for (const source of known) {
      const matches = candidates.get(source) || [];
      if (!matches.length || sources.has(source)) {
        for (const [label] of matches) notUsed.push([label, `${source} is read from '${sources.get(source)}'`]);
        continue;
      }
      if (matches.length > 1) throw new PageError("msg_columns_same", { labels: matches.map((m) => m[0]).join(", "), source });
      sources.set(source, matches[0][0]); how.set(source, matches[0][1]);
    }
    const order = new Map(labels.map((l, i) => [l, i]));
    const ordered = [...sources.entries()].sort((a, b) => (order.get(a[1]) ?? 0) - (order.get(b[1]) ?? 0));
    notUsed.sort((a, b) => (order.get(a[0]) ?? 0) - (order.get(b[0]) ?? 0));
    return { sources: new Map(ordered), how, notUsed };
  }
  function baseLabel(label) {
    const m = /^(.*) \((\d+)\)$/.exec(label);
    return m ? m[1] : label;
  }
  function prepareTable(table, schema) {
    const cmap = findColumns(table.labels, schema);
    const repeated = new Set(table.info.duplicates.map((h) => h.toLowerCase()));
    const dup = [...cmap.sources.values()].filter((l) => repeated.has(l.toLowerCase()) || repeated.has(baseLabel(l).toLowerCase()));
    if (dup.length) throw new PageError("msg_repeated_header", { header: dup[0] });
    const qi = [...cmap.sources.keys()].filter((s) => !NOT_QI.has(s));
    if (!qi.length) throw new PageError("msg_no_qi", { file: table.info.name, columns: table.labels.join(", "),
      reads: schema.sources.filter((s) => s !== "case_ref").join(", ") });
    if (!table.rows.length) throw new PageError("msg_no_records", { file: table.info.name });
    excelSerialDates(table, ["date_of_birth", "report_date"].filter((s) => cmap.sources.has(s)).map((s) => cmap.sources.get(s)));
    return cmap;
  }
  async function readReporterFile(bytes, name) {
    const kind = fileKind(bytes);
    if (kind === "secret" || kind === "private_key") throw new PageError("msg_table_is_key", { file: name });
    if (kind === "public_key") throw new PageError("msg_table_is_public", { file: name });
    if (kind === "submission") throw new PageError("msg_table_is_submission", { file: name });
    const lower = name.toLowerCase();
    if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || lower.endsWith(".xlsx") || lower.endsWith(".xlsm")) return readXlsx(bytes, name);
    if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0])) throw new PageError("msg_xls", { file: name });
    if (startsWith(bytes, TE.encode("PAR1")) || lower.endsWith(".parquet")) throw new PageError("msg_parquet", { file: name });
    if ([".xls", ".ods", ".numbers"].some((x) => lower.endsWith(x))) throw new PageError("msg_other_sheet", { file: name });
    return readText(bytes, name);
  }

  /* ------------------------------------------------------------------ the schema this page encodes under */
  function deepEqual(a, b) {
    if (a === b) return true;
    if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    const ka = Object.keys(a).sort(), kb = Object.keys(b).sort();
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && deepEqual(a[k], b[k]));
  }
  function v1Form(body) {
    if (body.version !== 2 || body.hardening === null || typeof body.hardening !== "object") return body;
    const hard = Object.assign({}, body.hardening);
    const kind = has(hard, "keystream") ? hard.keystream : "aes-256-ctr";
    delete hard.keystream;
    const uses = (hard.blip_epsilon !== undefined && hard.blip_epsilon !== null) || hard.balance === true || hard.permute === true;
    if (kind !== "chacha20" && uses) return body;
    return Object.assign({}, body, { version: 1, hardening: hard });
  }
  async function loadSchema() {
    const text = CONFIG.fingerprint_text;
    if ("sha256:" + hex(await sha256(TE.encode(text))) !== CONFIG.fingerprint) throw new PageError("msg_schema_fingerprint");
    const doc = JSON.parse(CONFIG.schema_header_json);
    const body = Object.assign({}, doc);
    delete body.description;
    if (!deepEqual(v1Form(body), JSON.parse(text))) throw new PageError("msg_schema_fingerprint");
    const L = doc.filter.length;
    const level = doc.filter.level || "record";
    const segments = level === "field" ? segmentsOf(L, doc.fields) : doc.fields.map(() => [0, L]);
    const fields = doc.fields.map((f, i) => ({ name: f.name, type: f.type, tokens: f.tokens, bits_per_token: f.bits_per_token,
      normalisation: f.normalisation || {}, segment: segments[i] }));
    const hd = doc.hardening || {};
    const h = {
      salt_field: hd.salt ? hd.salt.field : null,
      salt_band: hd.salt && hd.salt.band !== undefined ? hd.salt.band : null,
      balance: hd.balance === true, fold: hd.fold === true, permute: hd.permute === true,
      keystream: hd.keystream || "aes-256-ctr", flip_threshold: null,
      blip_noise: hd.blip_noise === "row" ? "row" : "filter",
    };
    if (hd.blip_epsilon !== undefined && hd.blip_epsilon !== null) {
      const k = Math.max(...fields.map((f) => f.bits_per_token));
      const mine = Math.round(blipProbability(hd.blip_epsilon, k) * 2 ** 32);
      if (Math.abs(mine - CONFIG.flip_threshold) > 1) throw new PageError("msg_schema_fingerprint");
      h.flip_threshold = CONFIG.flip_threshold;
    }
    if ((h.flip_threshold !== null || h.balance || h.permute) && h.keystream !== "aes-256-ctr") throw new PageError("msg_schema_keystream");
    let out = L * (h.balance ? 2 : 1);
    if (h.fold) out = out / 2;
    return { name: doc.name, fingerprint: CONFIG.fingerprint, fields, sources: CONFIG.sources,
      plan: { filter_length: L, output_length: out, hardening: h } };
  }

  /* ------------------------------------------------------------------ the page */
  const T = CONFIG.texts;
  let lang = CONFIG.lang;
  const $ = (id) => document.getElementById(id);
  function t(key, detail) {
    let s = (T[lang] && T[lang][key]) || T.en[key];
    if (s === undefined) s = /^(fld|src)_/.test(key) ? key.slice(4) : key;
    if (detail) for (const [k, v] of Object.entries(detail)) s = s.split("{" + k + "}").join(String(v));
    return s;
  }
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }
  const state = { schema: null, secret: null, signing: null, table: null, cmap: null, norm: null, output: null, reporterId: CONFIG.reporter_id };
  const notes = {}; // slot -> [key, detail, kind]
  function note(slot, key, detail, kind) {
    notes[slot] = key === null ? null : [key, detail || null, kind || "ok"];
    renderNotes();
  }
  function renderNotes() {
    for (const [slot, value] of Object.entries(notes)) {
      const box = $(slot);
      if (!box) continue;
      box.textContent = value === null ? "" : t(value[0], value[1]);
      box.className = "note " + (value === null ? "" : value[2]);
      box.setAttribute("data-key", value === null ? "" : value[0]);
    }
  }
  function translate() {
    document.documentElement.lang = lang;
    for (const e of document.querySelectorAll("[data-t]")) e.textContent = t(e.getAttribute("data-t"));
    renderNotes();
    renderResult();
    for (const b of document.querySelectorAll("[data-lang]")) b.setAttribute("aria-pressed", String(b.getAttribute("data-lang") === lang));
  }
  function errorNote(slot, e) {
    if (e instanceof PageError) note(slot, e.message, e.detail, "error");
    else if (e instanceof InvalidValue) note(slot, "msg_invalid_value", { reason: e.reason }, "error");
    else { console.error(e); note(slot, "msg_internal", { what: e && e.name ? e.name : "Error" }, "error"); }
  }
  async function fileBytes(input) {
    const f = input.files && input.files[0];
    if (!f) return null;
    return { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) };
  }
  function setBusy(busy) { document.body.setAttribute("data-busy", busy ? "1" : "0"); }

  async function onSecret() {
    state.secret = null; state.output = null;
    note("secret-note", null);
    try {
      const f = await fileBytes($("secret-file"));
      $("secret-file").value = "";
      if (f === null) return;
      const secret = await readLinkageSecret(f.bytes);
      f.bytes.fill(0);
      if (CONFIG.key_id !== null && secret.keyId !== CONFIG.key_id)
        throw new PageError("msg_key_id_mismatch", { found: secret.keyId, expected: CONFIG.key_id });
      state.secret = secret;
      note("secret-note", CONFIG.key_id !== null ? "msg_secret_ok" : "msg_secret_ok_unchecked", { key_id: secret.keyId }, "ok");
    } catch (e) { errorNote("secret-note", e); }
    update();
  }
  async function onSigning() {
    state.signing = null; state.output = null;
    note("signing-note", null);
    try {
      const f = await fileBytes($("signing-file"));
      $("signing-file").value = "";
      if (f === null) return;
      state.signing = await readSigningKey(f.bytes);
      f.bytes.fill(0);
      note("signing-note", "msg_signing_ok", { signer: state.signing.signer }, "ok");
    } catch (e) { errorNote("signing-note", e); }
    update();
  }
  async function onData(file) {
    state.table = null; state.cmap = null; state.norm = null; state.output = null;
    note("data-note", null);
    renderResult();
    if (!file) { update(); return; }
    setBusy(true);
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const table = await readReporterFile(bytes, file.name);
      const cmap = prepareTable(table, state.schema);
      state.table = table; state.cmap = cmap;
      normalise();
      note("data-note", "msg_data_ok", { file: file.name, records: table.rows.length }, "ok");
    } catch (e) { state.table = null; state.cmap = null; state.norm = null; errorNote("data-note", e); }
    setBusy(false);
    update();
  }
  function policy() { return $("invalid-missing").checked ? "missing" : "refuse"; }
  function normalise() {
    if (state.table === null) return;
    const mapping = {};
    for (const [s, label] of state.cmap.sources) if (s !== "case_ref") mapping[s] = label;
    state.norm = normaliseTable(state.table, mapping, state.schema.fields, policy());
    state.output = null;
    renderResult();
  }
  function reporterId() {
    if (CONFIG.reporter_id !== null) return CONFIG.reporter_id;
    const v = $("reporter-id").value.trim();
    return /^[a-z0-9][a-z0-9_.-]{0,63}$/.test(v) ? v : null;
  }
  function blockers() {
    const out = [];
    if (state.schema === null) out.push("msg_block_schema");
    if (state.secret === null) out.push("msg_block_secret");
    if (state.signing === null) out.push("msg_block_signing");
    if (reporterId() === null) out.push("msg_block_reporter");
    if (state.norm === null) out.push("msg_block_data");
    else if (state.norm.invalid === "refuse" && state.norm.rejected.length) out.push("msg_block_refused");
    return out;
  }
  function update() {
    const b = blockers();
    const busy = document.body.getAttribute("data-busy") === "1";
    $("encode").disabled = b.length > 0 || busy;
    const done = state.output !== null;
    if (!done && !busy && !(notes["encode-note"] && notes["encode-note"][2] === "error"))
      note("encode-note", b.length ? b[0] : "msg_ready", null, b.length ? "wait" : "ok");
    $("save-submission").disabled = !done;
    $("save-idmap").disabled = !done;
    $("save-rejects").hidden = !(done && state.output.rejects !== null);
    document.body.setAttribute("data-status", done ? "encoded" : b.length ? "waiting" : "ready");
  }
  async function onEncode() {
    if (blockers().length) return;
    setBusy(true);
    update();
    note("encode-note", "msg_encoding", null, "wait");
    try {
      const norm = state.norm;
      const encoded = await encodeRecords(norm.values, state.schema, state.secret,
        (done, total) => note("encode-note", "msg_progress", { done, total }, "wait"), state.table.rows);
      let dropped = null;
      if (norm.invalid === "missing") { dropped = {}; for (const f of norm.fields) dropped[f.field] = f.refused; }
      const rid = reporterId();
      const signed = await signSubmission(encoded, state.schema, rid, state.signing, state.secret.keyId, dropped);
      const caseLabel = state.cmap.sources.get("case_ref");
      const caseRefs = caseLabel === undefined ? null : state.table.columns[caseLabel].map((v) => (v === null ? null : pyStr(v)));
      const day = createdNow().slice(0, 10);
      const base = `${rid}-${day}.lnk`;
      state.output = {
        submission: { name: base, bytes: signed.data },
        idmap: { name: base + ".LOCAL-ONLY-idmap.csv", bytes: idMapCsv(signed.recordIds, state.table.rows, caseRefs) },
        rejects: norm.invalid === "missing" ? { name: base + ".LOCAL-ONLY-rejects.csv", bytes: rejectsCsv(norm.rejected) } : null,
        sha256: hex(await sha256(signed.data)), records: signed.recordIds.length,
      };
      note("encode-note", "msg_encoded", { records: state.output.records, sha: state.output.sha256.slice(0, 16) }, "ok");
    } catch (e) { state.output = null; errorNote("encode-note", e); }
    setBusy(false);
    update();
  }
  function save(which) {
    const out = state.output && state.output[which];
    if (!out) return;
    const url = URL.createObjectURL(new Blob([out.bytes], { type: "application/octet-stream" }));
    const a = el("a", { href: url, download: out.name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }
  function cellText(v) {
    if (v === null || v === undefined) return "";
    if (isDate(v)) return pyStr(v).slice(0, 10);
    return pyStr(v);
  }
  function renderResult() {
    const box = $("result");
    box.textContent = "";
    if (state.table === null || state.norm === null) return;
    const info = state.table.info;
    const how = [info.format.toUpperCase()];
    if (info.encoding) how.push(t("file_encoding", { encoding: info.encoding, how: info.how }));
    if (info.delimiter) how.push(t("file_delimiter", { delimiter: info.delimiter }));
    if (info.sheet) how.push(t("file_sheet", { sheet: info.sheet, others: info.otherSheets.length }));
    if (info.serialDates) how.push(t("file_serial", { n: info.serialDates }));
    if (info.blank) how.push(t("file_blank", { n: info.blank }));
    box.append(el("p", { id: "file-info" }, how.join(" · ")));
    if (info.suspect) box.append(el("p", { id: "encoding-warning", class: "note error" }, t("msg_encoding_suspect")));
    const preview = el("table", { id: "preview-table" }, el("tr", {}, el("th", {}, t("pr_row")), ...state.table.labels.map((l) => el("th", {}, l))));
    for (let i = 0; i < Math.min(5, state.table.rows.length); i++)
      preview.append(el("tr", {}, el("td", {}, state.table.rows[i]), ...state.table.labels.map((l) => el("td", { class: "value" }, cellText(state.table.columns[l][i])))));
    box.append(el("h3", {}, t("h_preview")), preview);
    const cols = el("table", { id: "columns-table" }, el("tr", {}, el("th", {}, t("col_header")), el("th", {}, t("col_read_as")), el("th", {}, t("col_how"))));
    for (const [source, label] of state.cmap.sources) cols.append(el("tr", { "data-source": source }, el("td", {}, label), el("td", {}, t("src_" + source)), el("td", {}, t("how_" + state.cmap.how.get(source)))));
    for (const [label, why] of state.cmap.notUsed) cols.append(el("tr", { class: "unused" }, el("td", {}, label), el("td", {}, t("not_used")), el("td", {}, why)));
    box.append(el("h3", {}, t("h_columns")), cols);
    const norm = state.norm;
    const counts = el("table", { id: "counts-table" }, el("tr", {}, el("th", {}, t("cnt_field")), el("th", {}, t("cnt_columns")),
      el("th", {}, t("cnt_read")), el("th", {}, t("cnt_missing")), el("th", {}, t("cnt_refused"))));
    for (const f of norm.fields) counts.append(el("tr", { "data-field": f.field }, el("td", {}, t("fld_" + f.field)), el("td", {}, f.columns.join(", ") || "—"),
      el("td", { class: "read" }, f.read), el("td", { class: "missing" }, f.missing), el("td", { class: "refused" }, f.refused)));
    box.append(el("h3", {}, t("h_counts", { records: norm.records })), counts);
    if (norm.withoutFields) box.append(el("p", { class: "note wait" }, t("msg_without_fields", { n: norm.withoutFields })));
    if (norm.rejected.length) {
      const probs = el("table", { id: "problems-table" }, el("tr", {}, el("th", {}, t("pr_row")), el("th", {}, t("pr_column")), el("th", {}, t("pr_value")), el("th", {}, t("pr_reason"))));
      for (const r of norm.rejected.slice(0, 500)) {
        const value = state.table.columns[r.column] ? cellText(state.table.columns[r.column][r.index]) : "";
        probs.append(el("tr", {}, el("td", {}, r.row), el("td", {}, r.column), el("td", { class: "value" }, value), el("td", {}, r.reason)));
      }
      box.append(el("h3", {}, t(norm.invalid === "refuse" ? "h_problems_refuse" : "h_problems_missing", { n: norm.rejected.length })), probs);
      if (norm.rejected.length > 500) box.append(el("p", {}, t("msg_more_problems", { n: norm.rejected.length - 500 })));
    }
  }
  function onDrop(ev) {
    ev.preventDefault();
    $("drop").classList.remove("over");
    const f = ev.dataTransfer && ev.dataTransfer.files && ev.dataTransfer.files[0];
    if (f) onData(f);
  }
  async function start() {
    $("schema-name").textContent = CONFIG.schema_name;
    $("schema-fingerprint").textContent = CONFIG.fingerprint;
    $("expected-key-id").textContent = CONFIG.key_id !== null ? CONFIG.key_id : "—";
    $("page-hash").textContent = CONFIG.page_hash_slot;
    if (CONFIG.reporter_id !== null) { $("reporter-fixed").textContent = CONFIG.reporter_id; $("reporter-input").hidden = true; }
    else { $("reporter-fixed-row").hidden = true; $("reporter-fixed").hidden = true; }
    if (TEST !== null) {
      // Test mode (set only by the test suite, and shown in red): seeded ids, and the encoder on canonical values
      // for the known-answer vectors.
      $("test-mode").hidden = false;
      globalThis.__LINKAGE_TEST_API__ = {
        encodeCanonical: async (armour, records) => {
          const secret = await readLinkageSecret(TE.encode(armour));
          const values = {};
          for (const f of state.schema.fields) values[f.name] = records.map((r) => (r[f.name] === undefined ? null : r[f.name]));
          const enc = await encodeRecords(values, state.schema, secret, null);
          return enc.filters.map((f, i) => ({ presence: enc.presence[i], filter: hex(f) }));
        },
        readTable: async (b64, name) => {
          try {
            const t = await readReporterFile(b64decode(b64), name);
            const columns = t.labels.map((l) => t.columns[l].map((v) => (isDate(v) ? { date: v.date } : v)));
            return { labels: t.labels, columns, rows: t.rows, info: t.info };
          } catch (e) {
            if (e instanceof PageError) return { error: e.message, detail: e.detail };
            return { crash: String(e) };
          }
        },
        normalise: (kind, inputs) => {
          const opts = { age_uncertainty: 1, min_year: 1900, max_age: 110 };
          const fns = {
            given: (v) => givenNameInitial(v), surname: (v) => surnameInitial(v), full: (v) => initialsFromName(v),
            initials: (v) => parseInitials(v), nationality: (v) => resolveNationality(v), sex: (v) => resolveSex(v),
            birth_year: (v) => resolveBirthYear(v[0], v[1], v[2], v[3], opts),
          };
          return inputs.map((v) => {
            try { return { ok: fns[kind](v) }; } catch (e) {
              if (e instanceof InvalidValue) return { error: e.reason, source: e.source };
              return { crash: String(e) };
            }
          });
        },
      };
    }
    for (const b of document.querySelectorAll("[data-lang]")) b.addEventListener("click", () => { lang = b.getAttribute("data-lang"); translate(); update(); });
    $("secret-file").addEventListener("change", onSecret);
    $("signing-file").addEventListener("change", onSigning);
    $("data-file").addEventListener("change", () => onData($("data-file").files[0] || null));
    $("invalid-missing").addEventListener("change", () => { if (state.table !== null) normalise(); update(); });
    $("reporter-id").addEventListener("input", () => { state.output = null; update(); });
    $("encode").addEventListener("click", onEncode);
    $("save-submission").addEventListener("click", () => save("submission"));
    $("save-idmap").addEventListener("click", () => save("idmap"));
    $("save-rejects").addEventListener("click", () => save("rejects"));
    const drop = $("drop");
    drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", onDrop);
    translate();
    try {
      if (!subtle) throw new PageError("msg_no_webcrypto");
      state.schema = await loadSchema();
      await loadTranslit();
      note("schema-note", "msg_schema_ok", null, "ok");
    } catch (e) { state.schema = null; errorNote("schema-note", e); }
    update();
    document.body.setAttribute("data-loaded", "1");
  }
  start();
})();
