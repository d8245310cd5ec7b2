/*
 * Fast path for NCSA access-log lines (common, combined, vhost_combined).
 *
 * Why: at a million lines a second there is no time to build a string column per
 * field and hand every row to SQL. This module reads a chunk of raw bytes, splits
 * it into lines, parses the plain, well-formed ones and *interns* what requests
 * share - the raw request target (method, host, path, and the query parameters that
 * can name a space) and the client identity (user agent, address, user) - into hash tables
 * that live as long as the file's load. Each accepted line comes out as a few
 * numbers (time, status, bytes, a request-key id) plus its query string; only the
 * keys seen for the first time go to SQL, which normalises and routes them once
 * (the SQL files of queries/ingest).
 *
 * Every line it is not sure about is *declined* and goes through the SQL parser
 * (queries/formats/clf.sql), which stays the reference and the only source of
 * reject reasons: lines with a byte outside ASCII (UTF-8 is checked there), a
 * NUL, a carriage return, a backslash (escapes), odd spacing, an absolute URL, a
 * path with an escape or a dot segment (the server's normalisation lives in SQL),
 * a query string that may carry a credential (the masking lives in SQL), or any
 * field out of shape. tests/formats/test_fastclf.py checks that both paths store
 * the same rows for every line the fast path accepts.
 *
 * The work runs without the GIL, so the reader thread parses the next chunk
 * while DuckDB stores the current one.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { F_METHOD, F_HOST, F_TARGET, F_QUERY, F_IP, F_USER, F_AGENT, N_FIELDS };

typedef struct {
    const char *ptr;
    Py_ssize_t len;
    int is_null;
} span_t;

typedef struct {
    int64_t ts, nbytes;
    int32_t status;
} nums_t;

/* -- parsing one line ------------------------------------------------------------------ */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    /* Howard Hinnant's algorithm: days since 1970-01-01. */
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int digits(const char *p, int n, int *out) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return 0;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return 1;
}

static const char *MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";

/* "dd/Mon/yyyy:HH:MM:SS +zzzz" (26 chars) -> microseconds since epoch, UTC. */
static int parse_time(const char *p, int64_t *out) {
    int d, y, hh, mm, ss, zh, zm, mon = -1;
    if (p[2] != '/' || p[6] != '/' || p[11] != ':' || p[14] != ':' || p[17] != ':' || p[20] != ' ') return 0;
    if (!digits(p, 2, &d) || !digits(p + 7, 4, &y) || !digits(p + 12, 2, &hh) || !digits(p + 15, 2, &mm) ||
        !digits(p + 18, 2, &ss))
        return 0;
    for (int i = 0; i < 12; i++) {
        if (memcmp(p + 3, MONTHS + 3 * i, 3) == 0) { mon = i + 1; break; }
    }
    if (mon < 0 || y < 1000) return 0;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int limit = mdays[mon - 1] + (mon == 2 && is_leap(y));
    if (d < 1 || d > limit || hh > 23 || mm > 59 || ss > 59) return 0;
    char sign = p[21];
    if ((sign != '+' && sign != '-') || !digits(p + 22, 2, &zh) || !digits(p + 24, 2, &zm) || zh > 23 || zm > 59)
        return 0;
    int64_t secs = days_from_civil(y, (unsigned)mon, (unsigned)d) * 86400 + hh * 3600 + mm * 60 + ss;
    int64_t offset = (int64_t)zh * 3600 + zm * 60;
    secs += sign == '+' ? -offset : offset;
    *out = secs * 1000000;
    return 1;
}

/* A non-empty run of characters up to the next space, without quotes. */
static const char *token(const char *p, const char *end, span_t *s) {
    const char *q = p;
    while (q < end && *q != ' ') {
        if (*q == '"') return NULL;
        q++;
    }
    if (q == p || q >= end) return NULL;
    s->ptr = p;
    s->len = q - p;
    s->is_null = 0;
    return q + 1; /* skip the single space */
}

/* One line (no newline, no CR, ASCII, no NUL: checked by the caller) into its fields; 0 = decline.
 * Strict shape (single spaces, no backslash, no stray quote):
 *   [vhost[:port] ]ip ident user [dd/Mon/yyyy:HH:MM:SS +zzzz] "METHOD /TARGET[ PROTO]" SSS BYTES[ "REF" "UA"]
 * TARGET is a path (starting with '/'); it is cut at its first '?' into the raw target and the query,
 * as queries/ingest/row_split.sql cuts it. */
static int parse_line(const char *p, const char *end, int vhost, int agent, span_t *out, nums_t *nums) {
    span_t skip; /* (a backslash is excluded by plain_text before) */
    if (vhost) {
        if (!(p = token(p, end, &out[F_HOST]))) return 0;
        const char *colon = memchr(out[F_HOST].ptr, ':', (size_t)out[F_HOST].len);
        if (colon) out[F_HOST].len = colon - out[F_HOST].ptr;
    } else {
        out[F_HOST].is_null = 1;
    }
    if (!(p = token(p, end, &out[F_IP]))) return 0;
    if (!(p = token(p, end, &skip))) return 0; /* ident */
    if (!(p = token(p, end, &out[F_USER]))) return 0;
    if (out[F_USER].len == 1 && out[F_USER].ptr[0] == '-') out[F_USER].is_null = 1;
    if (end - p < 31 || p[0] != '[' || p[27] != ']' || p[28] != ' ' || p[29] != '"') return 0;
    if (!parse_time(p + 1, &nums->ts)) return 0;
    p += 30;
    const char *close = memchr(p, '"', (size_t)(end - p));
    if (!close) return 0;
    /* request: METHOD TARGET[ PROTO], single spaces, all parts non-empty */
    const char *sp1 = memchr(p, ' ', (size_t)(close - p));
    if (!sp1 || sp1 == p) return 0;
    out[F_METHOD].ptr = p;
    out[F_METHOD].len = sp1 - p;
    const char *t = sp1 + 1;
    const char *sp2 = memchr(t, ' ', (size_t)(close - t));
    const char *tend = sp2 ? sp2 : close;
    if (tend == t || t[0] != '/') return 0;
    if (sp2) {
        const char *proto = sp2 + 1;
        if (proto == close || memchr(proto, ' ', (size_t)(close - proto)) != NULL) return 0;
    }
    const char *q = memchr(t, '?', (size_t)(tend - t));
    out[F_TARGET].ptr = t;
    out[F_TARGET].len = (q ? q : tend) - t;
    if (q) {
        out[F_QUERY].ptr = q + 1;
        out[F_QUERY].len = tend - q - 1;
    } else {
        out[F_QUERY].is_null = 1;
    }
    p = close + 1;
    /* " SSS BYTES" */
    int st;
    if (end - p < 6 || p[0] != ' ' || !digits(p + 1, 3, &st) || p[1] == '0' || p[4] != ' ') return 0;
    nums->status = st;
    p += 5;
    const char *b = p;
    while (p < end && *p != ' ') p++;
    if (p == b) return 0;
    if (p - b == 1 && b[0] == '-') {
        nums->nbytes = 0;
    } else {
        if (p - b > 18) return 0;
        int64_t v = 0;
        for (const char *c = b; c < p; c++) {
            if (*c < '0' || *c > '9') return 0;
            v = v * 10 + (*c - '0');
        }
        nums->nbytes = v;
    }
    if (!agent) {
        out[F_AGENT].is_null = 1;
        return p == end;
    }
    /* ' "REF" "UA"' to the end of the line */
    if (end - p < 6 || p[0] != ' ' || p[1] != '"') return 0;
    p += 2;
    const char *rq = memchr(p, '"', (size_t)(end - p));
    if (!rq || end - rq < 4 || rq[1] != ' ' || rq[2] != '"') return 0;
    p = rq + 3;
    const char *uq = memchr(p, '"', (size_t)(end - p));
    if (!uq || uq != end - 1) return 0;
    out[F_AGENT].ptr = p;
    out[F_AGENT].len = uq - p;
    out[F_AGENT].is_null = out[F_AGENT].len == 1 && p[0] == '-';
    return 1;
}

/* Whether a line is all ASCII with no NUL and no backslash (8 bytes at a time). */
static int plain_text(const char *p, Py_ssize_t n) {
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    const uint64_t slashes = 0x5C5C5C5C5C5C5C5CULL;
    Py_ssize_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        uint64_t x = w ^ slashes;
        if ((w & highs) || ((w - ones) & ~w & highs) || ((x - ones) & ~x & highs)) return 0;
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x80 || c == 0 || c == '\\') return 0;
    }
    return 1;
}

/* -- interning ---------------------------------------------------------------------------- */

/* An insert-only hash table of byte strings: id = order of first insertion. Keys are kept in an
 * arena so that new ones can be handed to Python after the GIL-free loop. */
typedef struct {
    uint64_t *hashes;   /* per slot; 0 = empty */
    int32_t *slot_ids;  /* per slot */
    uint32_t cap;       /* power of two */
    int32_t count;
    char *arena;
    size_t arena_len, arena_cap;
    int64_t *offsets;   /* per id: start in the arena; offsets[count] = arena_len */
    int32_t offsets_cap;
} table_t;

static uint64_t hash_bytes(const char *p, size_t n) {
    /* 64-bit multiply-xorshift over 8-byte words (a simplified wyhash); never returns 0. */
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (uint64_t)n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h ^= w;
        h *= 0xBF58476D1CE4E5B9ULL;
        h ^= h >> 31;
    }
    uint64_t tail = 0;
    memcpy(&tail, p + i, n - i);
    h ^= tail;
    h *= 0x94D049BB133111EBULL;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 32;
    return h ? h : 1;
}

static int table_init(table_t *t) {
    memset(t, 0, sizeof(*t));
    t->cap = 1024;
    t->hashes = calloc(t->cap, sizeof(uint64_t));
    t->slot_ids = malloc(t->cap * sizeof(int32_t));
    t->arena_cap = 1 << 16;
    t->arena = malloc(t->arena_cap);
    t->offsets_cap = 1024;
    t->offsets = malloc((size_t)t->offsets_cap * sizeof(int64_t));
    if (!t->hashes || !t->slot_ids || !t->arena || !t->offsets) return 0;
    t->offsets[0] = 0;
    return 1;
}

static void table_free(table_t *t) {
    free(t->hashes);
    free(t->slot_ids);
    free(t->arena);
    free(t->offsets);
    memset(t, 0, sizeof(*t));
}

static int table_grow(table_t *t) {
    uint32_t cap = t->cap * 2;
    uint64_t *hashes = calloc(cap, sizeof(uint64_t));
    int32_t *ids = malloc(cap * sizeof(int32_t));
    if (!hashes || !ids) { free(hashes); free(ids); return 0; }
    for (uint32_t i = 0; i < t->cap; i++) {
        if (!t->hashes[i]) continue;
        uint32_t j = (uint32_t)t->hashes[i] & (cap - 1);
        while (hashes[j]) j = (j + 1) & (cap - 1);
        hashes[j] = t->hashes[i];
        ids[j] = t->slot_ids[i];
    }
    free(t->hashes);
    free(t->slot_ids);
    t->hashes = hashes;
    t->slot_ids = ids;
    t->cap = cap;
    return 1;
}

/* The id of ``key`` (inserted when new); -1 when out of memory. */
static int32_t table_intern(table_t *t, const char *key, size_t n) {
    uint64_t h = hash_bytes(key, n);
    uint32_t j = (uint32_t)h & (t->cap - 1);
    while (t->hashes[j]) {
        if (t->hashes[j] == h) {
            int32_t id = t->slot_ids[j];
            int64_t start = t->offsets[id];
            if ((size_t)(t->offsets[id + 1] - start) == n && memcmp(t->arena + start, key, n) == 0) return id;
        }
        j = (j + 1) & (t->cap - 1);
    }
    if (t->count == INT32_MAX - 1) return -1;
    while (t->arena_len + n > t->arena_cap) {
        char *arena = realloc(t->arena, t->arena_cap * 2);
        if (!arena) return -1;
        t->arena = arena;
        t->arena_cap *= 2;
    }
    if (t->count + 2 > t->offsets_cap) {
        int64_t *offsets = realloc(t->offsets, (size_t)t->offsets_cap * 2 * sizeof(int64_t));
        if (!offsets) return -1;
        t->offsets = offsets;
        t->offsets_cap *= 2;
    }
    memcpy(t->arena + t->arena_len, key, n);
    t->arena_len += n;
    int32_t id = t->count++;
    t->offsets[t->count] = (int64_t)t->arena_len;
    t->hashes[j] = h;
    t->slot_ids[j] = id;
    if ((uint64_t)t->count * 10 > (uint64_t)t->cap * 7 && !table_grow(t)) return -1;
    return id;
}

/* Keys are fields one after the other: a byte 0 (NULL) or 1 followed by a 4-byte length and the bytes. */
static size_t put_field(char *dst, const span_t *s) {
    if (s->is_null) {
        dst[0] = 0;
        return 1;
    }
    uint32_t n = (uint32_t)s->len;
    dst[0] = 1;
    memcpy(dst + 1, &n, 4);
    memcpy(dst + 5, s->ptr, (size_t)n);
    return 5 + (size_t)n;
}

/* The parameters of a query that SQL reads spaces from (aa_query_space_keys/_ids in queries/macros.sql:
 * these exact, case-sensitive names, each matched at the start of an &-separated item), in their order
 * and joined by '&', as a key field (NULL when there are none). Only they belong in a request key: a
 * request id or cache buster beside a spaceKey would otherwise make every line a key of its own, and
 * the SQL finds the same spaces in them as in the whole query. */
static const char *const SPACE_PARAMS[] = {"spaceKey", "space-key", "spaceKeys", "space-id", "spaceId",
                                           "spaceIds", "cql", "cqlcontext"};

static size_t put_space_params(char *dst, const span_t *q) {
    char *out = dst + 5;
    size_t n = 0;
    const char *p = q->ptr, *end = q->ptr + q->len;
    for (;;) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        if (!amp) amp = end;
        const char *eq = memchr(p, '=', (size_t)(amp - p));
        if (eq) {
            size_t name_len = (size_t)(eq - p);
            for (size_t i = 0; i < sizeof(SPACE_PARAMS) / sizeof(SPACE_PARAMS[0]); i++) {
                if (strlen(SPACE_PARAMS[i]) == name_len && memcmp(p, SPACE_PARAMS[i], name_len) == 0) {
                    if (n) out[n++] = '&';
                    memcpy(out + n, p, (size_t)(amp - p));
                    n += (size_t)(amp - p);
                    break;
                }
            }
        }
        if (amp == end) break;
        p = amp + 1;
    }
    if (n == 0) {
        dst[0] = 0;
        return 1;
    }
    uint32_t n32 = (uint32_t)n;
    dst[0] = 1;
    memcpy(dst + 1, &n32, 4);
    return 5 + n;
}

/* The fields of an interned key, as a tuple of str/None. */
static PyObject *key_tuple(const table_t *t, int32_t id, int n_fields) {
    PyObject *tuple = PyTuple_New(n_fields);
    if (!tuple) return NULL;
    const char *p = t->arena + t->offsets[id];
    for (int f = 0; f < n_fields; f++) {
        PyObject *item;
        if (p[0] == 0) {
            item = Py_None;
            Py_INCREF(item);
            p += 1;
        } else {
            uint32_t n;
            memcpy(&n, p + 1, 4);
            item = PyUnicode_DecodeASCII(p + 5, (Py_ssize_t)n, "strict");
            p += 5 + n;
            if (!item) { Py_DECREF(tuple); return NULL; }
        }
        PyTuple_SET_ITEM(tuple, f, item);
    }
    return tuple;
}

typedef struct {
    PyObject_HEAD
    table_t targets;  /* method, host, raw target, query naming a space */
    table_t clients;  /* user agent, address, user */
    table_t pairs;    /* (target id, client id): a request key */
    int32_t reported_targets, reported_clients, reported_pairs;  /* handed to Python so far */
    char *scratch;
    size_t scratch_cap;
} Interner;

static void Interner_dealloc(Interner *self) {
    table_free(&self->targets);
    table_free(&self->clients);
    table_free(&self->pairs);
    free(self->scratch);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Interner_init(Interner *self, PyObject *args, PyObject *kwds) {
    if (!PyArg_ParseTuple(args, "")) return -1;
    table_free(&self->targets);
    table_free(&self->clients);
    table_free(&self->pairs);
    free(self->scratch);
    self->scratch = NULL;
    if (!table_init(&self->targets) || !table_init(&self->clients) || !table_init(&self->pairs)) {
        PyErr_NoMemory();
        return -1;
    }
    self->reported_targets = self->reported_clients = self->reported_pairs = 0;
    return 0;
}

static PyTypeObject InternerType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "analyzer._fastclf.Interner",
    .tp_basicsize = sizeof(Interner),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Interner_init,
    .tp_dealloc = (destructor)Interner_dealloc,
    .tp_doc = "Request keys and client identities seen so far in one file's load.",
};

/* Whether ``s`` holds ``word`` (lower case), ignoring ASCII case. */
static int contains_ci(const char *s, Py_ssize_t n, const char *word, Py_ssize_t w) {
    for (Py_ssize_t i = 0; i + w <= n; i++) {
        Py_ssize_t k = 0;
        while (k < w) {
            char c = s[i + k];
            if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
            if (c != word[k]) break;
            k++;
        }
        if (k == w) return 1;
    }
    return 0;
}

#define MAX_SCREEN 32

/* The names of query parameters the SQL parser reads something from (the JWT issuer of jwt=, see
 * queries/ingest/row_split.sql): a parameter is screened when its name, in any case, is one of these
 * words or ends with '_', '.' or '-' followed by one, and a line with such a parameter is declined.
 * (Masking is not done here: the Python side masks the queries C keeps with the SQL policy.) */
typedef struct {
    const char *words[MAX_SCREEN];
    Py_ssize_t lens[MAX_SCREEN];
    int n;
} screen_t;

static int name_is_secret(const char *name, Py_ssize_t n, const screen_t *screen) {
    for (int i = 0; i < screen->n; i++) {
        Py_ssize_t w = screen->lens[i];
        if (w > n) continue;
        const char *tail = name + n - w;
        Py_ssize_t k = 0;
        while (k < w) {
            char c = tail[k];
            if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
            if (c != screen->words[i][k]) break;
            k++;
        }
        if (k < w) continue;
        if (w == n) return 1;
        char before = tail[-1];
        if (before == '_' || before == '.' || before == '-') return 1;
    }
    return 0;
}

static int needs_sql(const span_t *q, const screen_t *screen) {
    if (q->is_null) return 0;
    const char *p = q->ptr, *end = q->ptr + q->len;
    while (p <= end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *seg_end = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(seg_end - p));
        if (eq && name_is_secret(p, eq - p, screen)) return 1;
        if (!amp) break;
        p = amp + 1;
    }
    return 0;
}

/* A path with an escape or a dot segment: queries/ingest/row_split.sql may reject it (aa_target_problem). */
static int odd_target(const span_t *t) {
    if (memchr(t->ptr, '%', (size_t)t->len) != NULL) return 1;
    for (Py_ssize_t i = 0; i + 1 < t->len; i++) {
        if (t->ptr[i] == '/' && t->ptr[i + 1] == '.') return 1;
    }
    return 0;
}

static PyObject *bytes_of(const void *p, Py_ssize_t n) { return PyBytes_FromStringAndSize((const char *)p, n); }

/* parse_chunk(interner, data, first_line_no, vhost, agent, max_line_bytes, screen, oldest_us, newest_us)
 * -> tuple; see fastclf.py. A line whose time lies outside [oldest_us, newest_us] is declined (the SQL
 * rejects it with its reason: queries/ingest/check_parsed.sql). */
static PyObject *parse_chunk(PyObject *module, PyObject *args) {
    Interner *self;
    Py_buffer data;
    long long first_line_no;
    int vhost, agent;
    Py_ssize_t max_line;
    PyObject *screen_words;
    long long oldest_us, newest_us;
    if (!PyArg_ParseTuple(args, "O!y*LppnOLL", &InternerType, &self, &data, &first_line_no, &vhost, &agent,
                          &max_line, &screen_words, &oldest_us, &newest_us))
        return NULL;
    PyObject *result = NULL;
    screen_t screen = {.n = 0};
    if (!PyTuple_Check(screen_words) || PyTuple_GET_SIZE(screen_words) > MAX_SCREEN) {
        PyErr_SetString(PyExc_ValueError, "screen must be a tuple of at most 32 lower-case bytes");
        PyBuffer_Release(&data);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(screen_words); i++) {
        PyObject *w = PyTuple_GET_ITEM(screen_words, i);
        if (!PyBytes_Check(w)) {
            PyErr_SetString(PyExc_TypeError, "screen words must be bytes");
            PyBuffer_Release(&data);
            return NULL;
        }
        screen.words[screen.n] = PyBytes_AS_STRING(w);
        screen.lens[screen.n++] = PyBytes_GET_SIZE(w);
    }
    const char *base = (const char *)data.buf;
    const Py_ssize_t size = data.len;
    /* Upper bound of lines: one per newline, plus an unterminated last one. */
    Py_ssize_t bound = 1;
    for (const char *p = base; (p = memchr(p, '\n', (size_t)(base + size - p))) != NULL; p++) bound++;
    int64_t *line_nos = malloc((size_t)bound * sizeof(int64_t));
    int64_t *ts = malloc((size_t)bound * sizeof(int64_t));
    int64_t *nbytes = malloc((size_t)bound * sizeof(int64_t));
    int32_t *status = malloc((size_t)bound * sizeof(int32_t));
    int32_t *pair = malloc((size_t)bound * sizeof(int32_t));
    int32_t *q_off = malloc((size_t)(bound + 1) * sizeof(int32_t));
    uint8_t *q_valid = malloc((size_t)bound);
    char *q_data = malloc((size_t)(size > 0 ? size : 1));
    int64_t *declined = malloc((size_t)bound * 3 * sizeof(int64_t));
    if (!line_nos || !ts || !nbytes || !status || !pair || !q_off || !q_valid || !q_data || !declined) {
        PyErr_NoMemory();
        goto done;
    }
    if (!self->scratch || self->scratch_cap < (size_t)max_line + 64) {
        free(self->scratch);
        self->scratch_cap = (size_t)max_line + 64;
        self->scratch = malloc(self->scratch_cap);
        if (!self->scratch) { self->scratch_cap = 0; PyErr_NoMemory(); goto done; }
    }
    Py_ssize_t n_lines = 0, n_ok = 0, n_declined = 0;
    int32_t q_used = 0;
    int failed = 0;
    q_off[0] = 0;
    Py_BEGIN_ALLOW_THREADS
    const char *p = base;
    const char *stop = base + size;
    while (p < stop) {
        const char *nl = memchr(p, '\n', (size_t)(stop - p));
        const char *end = nl ? nl : stop;
        int64_t line_no = first_line_no + n_lines;
        n_lines++;
        Py_ssize_t len = end - p;
        int ok = len > 0 && len <= max_line && p[len - 1] != '\r' && plain_text(p, len);
        span_t f[N_FIELDS];
        nums_t nums = {0, 0, 0};
        if (ok) {
            memset(f, 0, sizeof(f));
            ok = parse_line(p, end, vhost, agent, f, &nums) && nums.ts >= oldest_us && nums.ts <= newest_us &&
                 !needs_sql(&f[F_QUERY], &screen) &&
                 !odd_target(&f[F_TARGET]);
        }
        if (ok) {
            /* the request key: method, host, raw target, and the parameters of the query that can
             * name a space (when it mentions one at all: most queries are not looked into) */
            static const char SPACE[] = "space";
            span_t named = f[F_QUERY];
            if (named.is_null || !contains_ci(named.ptr, named.len, SPACE, 5)) named.is_null = 1;
            char *k = self->scratch;
            size_t kn = put_field(k, &f[F_METHOD]);
            kn += put_field(k + kn, &f[F_HOST]);
            kn += put_field(k + kn, &f[F_TARGET]);
            kn += named.is_null ? put_field(k + kn, &named) : put_space_params(k + kn, &named);
            int32_t target = table_intern(&self->targets, k, kn);
            kn = put_field(k, &f[F_AGENT]);
            kn += put_field(k + kn, &f[F_IP]);
            kn += put_field(k + kn, &f[F_USER]);
            int32_t client = table_intern(&self->clients, k, kn);
            int32_t ids[2] = {target, client};
            int32_t id = target < 0 || client < 0 ? -1 : table_intern(&self->pairs, (const char *)ids, sizeof(ids));
            if (id < 0) { failed = 1; break; }
            line_nos[n_ok] = line_no;
            ts[n_ok] = nums.ts;
            nbytes[n_ok] = nums.nbytes;
            status[n_ok] = nums.status;
            pair[n_ok] = id;
            q_valid[n_ok] = (uint8_t)!f[F_QUERY].is_null;
            if (!f[F_QUERY].is_null) {
                memcpy(q_data + q_used, f[F_QUERY].ptr, (size_t)f[F_QUERY].len);
                q_used += (int32_t)f[F_QUERY].len;
            }
            q_off[++n_ok] = q_used;
        } else {
            declined[3 * n_declined] = line_no;
            declined[3 * n_declined + 1] = p - base;
            declined[3 * n_declined + 2] = end - base;
            n_declined++;
        }
        if (!nl) break;
        p = nl + 1;
    }
    Py_END_ALLOW_THREADS
    if (failed) {
        PyErr_NoMemory();
        goto done;
    }
    PyObject *new_targets = PyList_New(0), *new_clients = PyList_New(0), *new_pairs = PyList_New(0);
    int ok_lists = new_targets && new_clients && new_pairs;
    for (int32_t i = self->reported_targets; ok_lists && i < self->targets.count; i++) {
        PyObject *t = key_tuple(&self->targets, i, 4);
        ok_lists = t && PyList_Append(new_targets, t) == 0;
        Py_XDECREF(t);
    }
    for (int32_t i = self->reported_clients; ok_lists && i < self->clients.count; i++) {
        PyObject *t = key_tuple(&self->clients, i, 3);
        ok_lists = t && PyList_Append(new_clients, t) == 0;
        Py_XDECREF(t);
    }
    for (int32_t i = self->reported_pairs; ok_lists && i < self->pairs.count; i++) {
        int32_t ids[2];
        memcpy(ids, self->pairs.arena + self->pairs.offsets[i], sizeof(ids));
        PyObject *t = Py_BuildValue("(ii)", ids[0], ids[1]);
        ok_lists = t && PyList_Append(new_pairs, t) == 0;
        Py_XDECREF(t);
    }
    if (ok_lists) {
        self->reported_targets = self->targets.count;
        self->reported_clients = self->clients.count;
        self->reported_pairs = self->pairs.count;
        result = Py_BuildValue(
            "(n(NNNNNNNN)NNNN)", n_lines, bytes_of(line_nos, n_ok * 8), bytes_of(ts, n_ok * 8),
            bytes_of(status, n_ok * 4), bytes_of(nbytes, n_ok * 8), bytes_of(pair, n_ok * 4),
            bytes_of(q_off, (n_ok + 1) * 4), bytes_of(q_data, q_used), bytes_of(q_valid, n_ok),
            bytes_of(declined, n_declined * 24), new_targets, new_clients, new_pairs);
    } else {
        Py_XDECREF(new_targets);
        Py_XDECREF(new_clients);
        Py_XDECREF(new_pairs);
    }
done:
    free(line_nos);
    free(ts);
    free(nbytes);
    free(status);
    free(pair);
    free(q_off);
    free(q_valid);
    free(q_data);
    free(declined);
    PyBuffer_Release(&data);
    return result;
}

static PyMethodDef methods[] = {
    {"parse_chunk", parse_chunk, METH_VARARGS,
     "parse_chunk(interner, data, first_line_no, vhost, agent, max_line_bytes, screen, oldest_us, newest_us)\n"
     "-> (n_lines, (line_no, ts, status, bytes, pair, query_offsets, query_data, query_valid), declined,\n"
     "    new_targets, new_clients, new_pairs). See analyzer/formats/fastclf.py."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_fastclf",
                                    "Fast path for NCSA access-log lines (see analyzer/formats/fastclf.py).", -1,
                                    methods};

PyMODINIT_FUNC PyInit__fastclf(void) {
    if (PyType_Ready(&InternerType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Py_INCREF(&InternerType);
    if (PyModule_AddObject(m, "Interner", (PyObject *)&InternerType) < 0) {
        Py_DECREF(&InternerType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
