"""The one masking policy: what looks like a credential, and how a text is masked before it leaves a parser.

Everything appaccess stores or prints that came from a log (stored query strings,
``extra``, user agents, paths, rejected lines and their reasons, error messages)
goes through the same rules, in SQL (ingest, per line) or in Python (rejects,
messages). Both are built here from one list of credential-looking names,
``analyzer/data/secret_names.csv``:

* a *name* (query, fragment or ``;`` parameter, cookie, header, JSON key, CSV or
  W3C column) is credential-looking when it holds, ends with or is one of the
  listed words, compared case-insensitively, with separators (``- _ . +``, space,
  or their percent-escapes) allowed between the parts of a compound word
  (:func:`is_secret_name`; SQL ``aa_is_secret_name``);
* in a text, the value after such a name (``name=value``, ``name: value``,
  ``"name": "value"``) becomes ``REDACTED``, as do the credentials of an
  ``Authorization`` scheme (``Bearer``, ``Basic``, ``JWT`` ...), every JWT
  (``eyJ...``.``...``.``...``) and the userinfo of a URL (``https://REDACTED@host``)
  (:func:`mask_text`; SQL ``aa_mask_text``).

The SQL macros are generated from the same regular expressions (:func:`sql_macros`,
which queries/macros.sql opens with), so the two cannot drift; tests/test_masking.py
checks that they agree on a corpus of names and texts. A cheap screen (one literal
scan for the words, no captures) lets texts that hold none of them through
untouched: the SQL runs once per stored line.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

#: The list of credential-looking words (the one definition; see the module docstring).
NAMES_FILE = Path(__file__).resolve().parent / "data" / "secret_names.csv"
#: What a masked value becomes.
MASK = "REDACTED"
#: Authorization schemes whose credentials follow them in a header value.
AUTH_SCHEMES = ("bearer", "basic", "jwt", "negotiate", "ntlm", "digest")

#: Characters that end a name inside a text (whitespace is spelled \s in the patterns).
_ENDS_NAME = "&;?=#\"'<>{}()[]\\/:,|"
#: A separator between the parts of a compound word: - _ . + or a space, plain or percent-encoded.
_SEP = r"(?:[-_.+]|%(?:2[0bde]|5f))"
#: A character of a credential in an Authorization scheme (a bearer token, base64 credentials).
_TOKEN = "[a-z0-9._~+/=%-]"


#: How a header value starts (Name: value): anything but a lower-case word followed by a space, which
#: is prose ("expired token: check the variables"), not a credential.
_LOWER, _OTHER = "(?-i:[a-z])", r'(?-i:[^a-z\s"\\\]}])'
_HEADER_START = f"(?:{_OTHER}|{_LOWER}+{_OTHER}|{_LOWER}+$)"


def _escape_not_in(chars: str) -> str:
    """A percent-escape of any byte but those of ``chars`` (RE2 has no lookahead: spelled out)."""
    banned = {ord(c) for c in chars} | {ord(c) for c in " \t\r\n\f\v"}
    digits = "0123456789abcdef"
    groups = []
    for high in digits:
        lows = "".join(low for low in digits if int(high + low, 16) not in banned)
        if lows:
            groups.append(high + ("[0-9a-f]" if lows == digits else f"[{lows}]"))
    return "%(?:" + "|".join(groups) + ")"


_ENDS_CLASS = r"\s" + re.escape(_ENDS_NAME)
_ENDS_ALL = frozenset(_ENDS_NAME + " \t\r\n\f\v")
#: One character of a name: anything but an ending character or %, or a percent-escape of anything else
#: (so an encoded = & ? # / : ends a name, as in a URL inside another parameter's value).
_NAME_CHAR = f"(?:[^{_ENDS_CLASS}%]|{_escape_not_in(_ENDS_NAME)})"
#: What may stand before a name: the start of the text, an ending character, or an escape of one.
_BEFORE = f"(^|[{_ENDS_CLASS}]|%(?:{'|'.join(sorted(f'{ord(c):02x}' for c in _ENDS_NAME + ' '))}))"
#: A value after ``name=``: up to & ; # whitespace, a quote or a backslash (a JSON escape such as
#: \u0026 for &), or an encoded & or # (%26, %23) of a URL inside another parameter's value.
_VALUE = r"""(?:[^\s&;#"'<>\\%]|\\/|%(?:[013-9a-f][0-9a-f]|2[0-24-57-9a-f]|[^0-9a-f]|[0-9a-f][^0-9a-f]))+"""


@dataclass(frozen=True)
class SecretWord:
    """One row of secret_names.csv: a word (a space where a separator may stand), where it must be,
    and example names it makes credential-looking."""

    word: str
    match: str  # part | end | whole
    examples: tuple[str, ...]

    @property
    def pattern(self) -> str:
        return f"{_SEP}*".join(re.escape(part) for part in self.word.split())


@cache
def secret_words() -> tuple[SecretWord, ...]:
    """The rows of :data:`NAMES_FILE`."""
    lines = [line for line in NAMES_FILE.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    words = []
    for row in csv.DictReader(lines):
        word, match = " ".join(row["word"].lower().split()), row["match"].strip()
        if match not in ("part", "end", "whole") or not re.fullmatch(r"[a-z0-9 ]+", word):
            raise ValueError(f"{NAMES_FILE}: bad row {row}")
        words.append(SecretWord(word, match, tuple(row["examples"].split())))
    return tuple(words)


@cache
def _name() -> str:
    """A whole credential-looking name inside a text (no groups: it is embedded in others)."""
    def of(match: str) -> str:
        return "|".join(w.pattern for w in secret_words() if w.match == match)

    n = _NAME_CHAR
    return f"(?:{n}*?(?:{of('part')}){n}*|{n}*?(?:{of('end')}){_SEP}*|{_SEP}*(?:{of('whole')}){_SEP}*)"


@cache
def name_pattern() -> str:
    """A credential-looking name somewhere in a text, between characters that end names (a column
    name such as ``cs(Cookie)`` holds the name ``Cookie``)."""
    return f"(?i){_BEFORE}{_name()}(?:$|[{_ENDS_CLASS}])"


# Python tests a name differently from RE2, with the same pieces: it cuts the text into candidate
# names (maximal runs of name characters after a character that ends names; possessive, so no
# backtracking) and tests each with simple searches. RE2 runs the patterns above in linear time,
# but Python's backtracking engine would take seconds on a crafted line ("token" repeated).


@cache
def _python_names() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    def of(match: str) -> str:
        return "|".join(w.pattern for w in secret_words() if w.match == match)

    return (re.compile(f"(?i){_BEFORE}({_NAME_CHAR}++)"), re.compile(f"(?i){of('part')}"),
            re.compile(f"(?i)(?:{of('end')}){_SEP}*+$"), re.compile(f"(?i){_SEP}*+(?:{of('whole')}){_SEP}*+"))


def _is_secret_run(run: str) -> bool:
    """Whether a whole name (a run of name characters) is credential-looking."""
    _, parts, ends, wholes = _python_names()
    return bool(parts.search(run) or ends.search(run) or wholes.fullmatch(run))


def is_secret_name(name: str) -> bool:
    """Whether the value of a parameter, header, key or column called ``name`` is a credential
    (SQL: ``aa_is_secret_name``, the search of :func:`name_pattern`)."""
    candidates = _python_names()[0]
    return any(_is_secret_run(m.group(2)) and (m.end() == len(name) or name[m.end()] in _ENDS_ALL)
               for m in candidates.finditer(name))


@cache
def json_key_pattern() -> str:
    """A credential-looking key (``"...":``) inside a JSON text."""
    return rf'(?i)"{_name()}"\s*:'


@cache
def _after_name() -> str:
    """What follows a credential-looking name up to the end of its value, one group per syntax (the
    separator, kept): "name": "value", "name": 123, Name: value, name=value."""
    return ("(?:"
            r'(\\?"\s*:\s*\\?")(?:[^"\\]|\\[^"])+'
            r'|(\\?"\s*:\s*)[-0-9tf][^,}\]\s"\\]*'
            rf'|([ \t]*:[ \t]*){_HEADER_START}[^"\r\n\\\]}}]*'
            rf"|(=|%3d){_VALUE})")


@dataclass(frozen=True)
class Rule:
    """One regular expression of the text masking and its replacement (RE2's \\1 syntax)."""

    name: str
    pattern: str
    replacement: str
    #: every class repetition may be possessive: what follows a class is never in it (Python's engine
    #: backtracks, and a crafted line would take it seconds; RE2 has no possessive syntax, nor needs it)
    possessive: bool = False

    @property
    def python_pattern(self) -> str:
        return re.sub(r"\]([+*])(?![+?])", r"]\1+", self.pattern) if self.possessive else self.pattern

    @property
    def python_replacement(self) -> str:
        return re.sub(r"\\(\d)", r"\\g<\1>", self.replacement)


@cache
def rules() -> tuple[Rule, ...]:
    """The text masking, in the order it is applied (every pattern case-insensitive)."""
    name, before, schemes = _name(), _BEFORE, "|".join(AUTH_SCHEMES)
    token = _TOKEN
    return (
        # a JWT anywhere (in a URL, a header, free text; rules start after a character that cannot
        # continue what they look for, so that no engine tries them at every character of a long word)
        Rule("jwt", r"(?i)(^|[^a-z0-9_-])eyJ[a-z0-9_-]+\.[a-z0-9_-]+\.[a-z0-9_-]+", rf"\1{MASK}", possessive=True),
        # the credentials of an Authorization scheme: Bearer xyz, Basic dXNlcjpwYXNz, JWT ... (a value
        # with a digit, a symbol or a capital after its first letter: not an English word)
        Rule("scheme", rf"(?i)(^|[^a-z])({schemes})((?:\s|%20|\+)+)(?:{token}*(?-i:[0-9+/=_.~%-]){token}*"
                       rf"|{token}+(?-i:[A-Z]){token}*)", rf"\1\2\3{MASK}"),
        # the value after a credential-looking name: "name": "value" (JSON, also escaped inside a JSON
        # string), "name": 123, Name: value (a header line: up to the end of the line, a quote, a
        # backslash or a bracket; not prose such as "expired token: check it"), name=value (query,
        # fragment, ;-parameters, cookies; = may be %3D)
        Rule("named", rf"(?i){before}({name}){_after_name()}", rf"\1\2\3\4\5\6{MASK}"),
        # https://user:password@host
        Rule("userinfo", r"""(?i)(://)[^/\s@?#"'<>\\]+@""", rf"\1{MASK}@", possessive=True),
    )


@cache
def screen_words() -> tuple[str, ...]:
    """Lower-case substrings one of which every text a rule could change holds: the last part of
    each word (a word holding another one is covered by it), the authorization schemes, ``eyj``
    (JWTs) and ``://`` (userinfo)."""
    words = sorted({w.word.split()[-1] for w in secret_words()} | set(AUTH_SCHEMES), key=len)
    kept: list[str] = []
    for word in words:
        if not any(k in word for k in kept):
            kept.append(word)
    return (*kept, "eyj", "://")


@cache
def screen_pattern() -> str:
    """The cheap screen: the screen words as one case-insensitive literal alternation. No captures,
    no repetition: RE2 scans it as a DFA without allocating, measured two to three times cheaper
    per text than one ``contains(lower(t), word)`` per word."""
    return "(?i)" + "|".join(re.escape(w) for w in screen_words())


@cache
def any_rule_pattern() -> str:
    """Whether any rule matches at all: one pass instead of one per rule, for screened texts."""
    return "(?i)" + "|".join(f"(?:{r.pattern.removeprefix('(?i)')})" for r in rules())


@cache
def _compiled() -> tuple[re.Pattern[str], re.Pattern[str], tuple[tuple[str, re.Pattern[str], str], ...]]:
    return (re.compile(screen_pattern()), re.compile("(?i)" + _after_name()),
            tuple((r.name, re.compile(r.python_pattern), r.python_replacement) for r in rules()))


def _mask_named(text: str) -> str:
    """The "named" rule, as RE2 applies it: at each candidate name, leftmost first, a credential-looking
    name followed by a separator and a value gets the value replaced."""
    candidates = _python_names()[0]
    after = _compiled()[1]
    out, kept_to, position = [], 0, 0
    while (candidate := candidates.search(text, position)) is not None:
        position = candidate.end()
        if _is_secret_run(candidate.group(2)) and (value := after.match(text, position)) is not None:
            separator = next(group for group in value.groups() if group is not None)
            out.append(text[kept_to:position] + separator + MASK)
            kept_to = position = value.end()
    out.append(text[kept_to:])
    return "".join(out)


def apply_rules(text: str) -> str:
    """Every rule applied to ``text``, without the screen (what the screen must never change)."""
    for name, pattern, replacement in _compiled()[2]:
        text = _mask_named(text) if name == "named" else pattern.sub(replacement, text)
    return text


def mask_text(text: str) -> str:
    """``text`` with every credential the policy recognises replaced (see the module docstring)."""
    if not text or not _compiled()[0].search(text):
        return text
    return apply_rules(text)


# -- SQL ----------------------------------------------------------------------------------------


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@cache
def sql_macros() -> str:
    """The masking macros for DuckDB, generated from the same words and patterns as the Python side."""
    masked = "t"
    for rule in rules():
        masked = f"regexp_replace({masked}, {_literal(rule.pattern)}, {_literal(rule.replacement)}, 'g')"
    return "\n".join([
        "-- Generated by analyzer/masking.py from analyzer/data/secret_names.csv (do not edit here).",
        "-- Whether the value of a parameter, header, key or column called `name` is a credential.",
        f"CREATE OR REPLACE MACRO aa_is_secret_name(name) AS regexp_matches(name, {_literal(name_pattern())});",
        "-- The cheap screen: false when `t` holds none of the words, so that no rule can change it.",
        f"CREATE OR REPLACE MACRO aa_secret_words_in(t) AS regexp_matches(t, {_literal(screen_pattern())});",
        "-- A credential-looking key (\"...\": ) inside a JSON text.",
        f"CREATE OR REPLACE MACRO aa_secret_json_key_re() AS {_literal(json_key_pattern())};",
        "-- aa_mask_text for a text the screen let through: one pass of all rules, then each rule.",
        f"CREATE OR REPLACE MACRO aa_mask_screened(t) AS CASE WHEN regexp_matches(t, {_literal(any_rule_pattern())}) "
        f"THEN {masked} ELSE t END;",
        "-- `t` with every credential the policy recognises replaced by REDACTED (see SECURITY.md).",
        "-- Pass a column, not an expression: a macro argument is evaluated at each use.",
        "CREATE OR REPLACE MACRO aa_mask_text(t) AS "
        "CASE WHEN aa_secret_words_in(t) THEN aa_mask_screened(t) ELSE t END;",
        "",
    ])
