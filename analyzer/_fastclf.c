/*
 * Fast path for NCSA access-log lines (common, combined, vhost_combined).
 *
 * Why: parsing is the largest cost of an ingest; queries/formats/clf.sql does it
 * in DuckDB at about half a second per million lines. This parser accepts only
 * the plain, well-formed lines that make up nearly all of a real log, and says
 * "not mine" for everything else, which then goes through clf.sql: the SQL stays
 * the reference (and produces every reject reason); tests check that both give
 * identical rows for every line the fast path accepts.
 *
 * Strict shape accepted (single spaces, no backslash, no stray quote):
 *   [vhost[:port] ]ip ident user [dd/Mon/yyyy:HH:MM:SS +zzzz] "METHOD TARGET[ PROTO]" SSS BYTES[ "REF" "UA"]
 * with a TARGET that is a plain path (starts with '/', no '//', no trailing '/'), optionally
 * behind the OAuth/Forge gateway prefix /ex/confluence/{cloudId}, and an ASCII host.
 *
 * Besides parsing, it splits the target the way queries/ingest/split_target.sql does (host,
 * cloud id, path, query, REST prefix length, the router's path shape), so that these rows
 * skip that SQL too; tests/formats/test_fastclf.py checks both agree.
 *
 * The work runs without the GIL, so a reader thread can parse the next chunk
 * while DuckDB stores the current one.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

enum { C_METHOD, C_HOST, C_CLOUD, C_PATH, C_QUERY, C_SHAPE, C_IP, C_USER, C_AGENT, C_TARGET, N_STR };

typedef struct {
    const char *ptr;
    Py_ssize_t len;
    int is_null;
    int lower; /* copy lower-cased */
} span_t;

typedef struct {
    int64_t ts, nbytes;
    int32_t status, prefix_len;
} nums_t;

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

static int starts(const char *p, Py_ssize_t len, const char *prefix) {
    size_t n = strlen(prefix);
    return (size_t)len >= n && memcmp(p, prefix, n) == 0;
}

static int equals(const char *p, Py_ssize_t len, const char *text) {
    return (size_t)len == strlen(text) && memcmp(p, text, (size_t)len) == 0;
}

/* The target split as split_target.sql splits a relative one; 0 = leave it to the SQL. */
static int split_target(const char *t, Py_ssize_t tlen, span_t *out, nums_t *nums) {
    if (tlen < 1 || t[0] != '/') return 0;
    const char *q = memchr(t, '?', (size_t)tlen);
    Py_ssize_t plen = q ? q - t : tlen;
    if (q) {
        out[C_QUERY].ptr = q + 1;
        out[C_QUERY].len = tlen - plen - 1;
    } else {
        out[C_QUERY].is_null = 1;
    }
    const char *p = t;
    for (Py_ssize_t i = 1; i < plen; i++) {
        if (p[i] == '/' && p[i - 1] == '/') return 0;
    }
    out[C_CLOUD].is_null = 1;
    if (starts(p, plen, "/ex/confluence/")) {
        const char *cid = p + 15;
        const char *slash = memchr(cid, '/', (size_t)(plen - 15));
        if (!slash || slash == cid || (p + plen) - slash <= 1) return 0;
        out[C_CLOUD].ptr = cid;
        out[C_CLOUD].len = slash - cid;
        out[C_CLOUD].is_null = 0;
        plen -= slash - p;
        p = slash;
    }
    if (plen > 1 && p[plen - 1] == '/') return 0;
    if (starts(p, plen, "/wiki/rest/atlassian-connect/")) {
        p += 10;
        plen -= 10;
    }
    out[C_PATH].ptr = p;
    out[C_PATH].len = plen;
    if (starts(p, plen, "/wiki/api/v2/") || equals(p, plen, "/wiki/api/v2"))
        nums->prefix_len = 12;
    else if (starts(p, plen, "/wiki/rest/api/") || equals(p, plen, "/wiki/rest/api"))
        nums->prefix_len = 14;
    else if (starts(p, plen, "/atlassian-connect/1/"))
        nums->prefix_len = 20;
    else
        nums->prefix_len = 0;
    out[C_SHAPE].is_null = nums->prefix_len == 0; /* built by write_shape */
    return 1;
}

static int is_word(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '-';
}

/* The router's shape of a path: the REST prefix, then each segment as is when it is a word,
 * '*' otherwise (aa_path_shape in queries/macros.sql). */
static Py_ssize_t write_shape(const char *path, Py_ssize_t len, int prefix_len, char *dst) {
    memcpy(dst, path, (size_t)prefix_len);
    Py_ssize_t w = prefix_len;
    Py_ssize_t i = prefix_len;
    while (i < len) { /* path[i] == '/' */
        Py_ssize_t j = i + 1;
        int word = 1;
        while (j < len && path[j] != '/') {
            if (!is_word(path[j])) word = 0;
            j++;
        }
        dst[w++] = '/';
        if (word && j > i + 1) {
            memcpy(dst + w, path + i + 1, (size_t)(j - i - 1));
            w += j - i - 1;
        } else if (j > i + 1) {
            dst[w++] = '*';
        }
        i = j;
    }
    return w;
}

static int parse_line(const char *p, const char *end, int vhost, int agent, span_t *out, nums_t *nums) {
    span_t skip;
    if (memchr(p, '\\', (size_t)(end - p)) != NULL) return 0;
    if (vhost) {
        if (!(p = token(p, end, &out[C_HOST]))) return 0;
        const char *colon = memchr(out[C_HOST].ptr, ':', (size_t)out[C_HOST].len);
        if (colon) out[C_HOST].len = colon - out[C_HOST].ptr;
        for (Py_ssize_t i = 0; i < out[C_HOST].len; i++) {
            if ((unsigned char)out[C_HOST].ptr[i] >= 0x80) return 0; /* beyond ASCII: SQL's job */
        }
    } else {
        out[C_HOST].is_null = 1;
    }
    if (!(p = token(p, end, &out[C_IP]))) return 0;
    if (!(p = token(p, end, &skip))) return 0; /* ident */
    if (!(p = token(p, end, &out[C_USER]))) return 0;
    if (out[C_USER].len == 1 && out[C_USER].ptr[0] == '-') out[C_USER].is_null = 1;
    if (end - p < 31 || p[0] != '[' || p[27] != ']' || p[28] != ' ' || p[29] != '"') return 0;
    if (!parse_time(p + 1, &nums->ts)) return 0;
    p += 30;
    const char *close = memchr(p, '"', (size_t)(end - p));
    if (!close) return 0;
    /* request: METHOD TARGET[ PROTO], single spaces, all parts non-empty */
    const char *sp1 = memchr(p, ' ', (size_t)(close - p));
    if (!sp1 || sp1 == p) return 0;
    out[C_METHOD].ptr = p;
    out[C_METHOD].len = sp1 - p;
    const char *t = sp1 + 1;
    const char *sp2 = memchr(t, ' ', (size_t)(close - t));
    const char *tend = sp2 ? sp2 : close;
    if (tend == t) return 0;
    if (sp2) {
        const char *proto = sp2 + 1;
        if (proto == close || memchr(proto, ' ', (size_t)(close - proto)) != NULL) return 0;
    }
    if (!split_target(t, tend - t, out, nums)) return 0;
    out[C_TARGET].ptr = t;
    out[C_TARGET].len = tend - t;
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
        out[C_AGENT].is_null = 1;
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
    out[C_AGENT].ptr = p;
    out[C_AGENT].len = uq - p;
    out[C_AGENT].is_null = out[C_AGENT].len == 1 && p[0] == '-';
    return 1;
}

static PyObject *parse(PyObject *self, PyObject *args) {
    Py_buffer data, offsets;
    int vhost, agent;
    if (!PyArg_ParseTuple(args, "y*y*pp", &data, &offsets, &vhost, &agent)) return NULL;
    Py_ssize_t n = offsets.len / (Py_ssize_t)sizeof(int64_t) - 1;
    PyObject *result = NULL;
    PyObject *ok = NULL, *ts = NULL, *status = NULL, *nbytes = NULL, *prefix = NULL;
    PyObject *str_off[N_STR] = {NULL}, *str_data[N_STR] = {NULL}, *str_valid[N_STR] = {NULL};
    if (n < 0) {
        PyErr_SetString(PyExc_ValueError, "offsets must hold n + 1 int64 values");
        goto done;
    }
    const int64_t *off = (const int64_t *)offsets.buf;
    const char *base = (const char *)data.buf;
    ok = PyBytes_FromStringAndSize(NULL, n);
    ts = PyBytes_FromStringAndSize(NULL, n * 8);
    status = PyBytes_FromStringAndSize(NULL, n * 4);
    nbytes = PyBytes_FromStringAndSize(NULL, n * 8);
    prefix = PyBytes_FromStringAndSize(NULL, n * 4);
    int failed = !ok || !ts || !status || !nbytes || !prefix;
    for (int c = 0; c < N_STR && !failed; c++) {
        str_off[c] = PyBytes_FromStringAndSize(NULL, (n + 1) * 8);
        str_data[c] = PyBytes_FromStringAndSize(NULL, data.len > 0 ? data.len : 1);
        str_valid[c] = PyBytes_FromStringAndSize(NULL, n);
        failed |= !str_off[c] || !str_data[c] || !str_valid[c];
    }
    Py_ssize_t used[N_STR] = {0};
    if (!failed) {
        uint8_t *okp = (uint8_t *)PyBytes_AS_STRING(ok);
        int64_t *tsp = (int64_t *)PyBytes_AS_STRING(ts);
        int32_t *stp = (int32_t *)PyBytes_AS_STRING(status);
        int64_t *nbp = (int64_t *)PyBytes_AS_STRING(nbytes);
        int32_t *pxp = (int32_t *)PyBytes_AS_STRING(prefix);
        int64_t *so[N_STR];
        char *sd[N_STR];
        uint8_t *sv[N_STR];
        for (int c = 0; c < N_STR; c++) {
            so[c] = (int64_t *)PyBytes_AS_STRING(str_off[c]);
            sd[c] = PyBytes_AS_STRING(str_data[c]);
            sv[c] = (uint8_t *)PyBytes_AS_STRING(str_valid[c]);
            so[c][0] = 0;
        }
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t i = 0; i < n; i++) {
            span_t spans[N_STR];
            nums_t nums = {0, 0, 0, 0};
            memset(spans, 0, sizeof(spans));
            int good = parse_line(base + off[i], base + off[i + 1], vhost, agent, spans, &nums);
            okp[i] = (uint8_t)good;
            tsp[i] = good ? nums.ts : 0;
            stp[i] = good ? nums.status : 0;
            nbp[i] = good ? nums.nbytes : 0;
            pxp[i] = good ? nums.prefix_len : 0;
            for (int c = 0; c < N_STR; c++) {
                int valid = good && !spans[c].is_null;
                if (valid && c == C_SHAPE) {
                    used[c] += write_shape(spans[C_PATH].ptr, spans[C_PATH].len, nums.prefix_len, sd[c] + used[c]);
                } else if (valid && spans[c].len > 0) {
                    char *dst = sd[c] + used[c];
                    if (spans[c].lower) {
                        for (Py_ssize_t k = 0; k < spans[c].len; k++) {
                            char ch = spans[c].ptr[k];
                            dst[k] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
                        }
                    } else {
                        memcpy(dst, spans[c].ptr, (size_t)spans[c].len);
                    }
                    used[c] += spans[c].len;
                }
                sv[c][i] = (uint8_t)valid;
                so[c][i + 1] = used[c];
            }
        }
        Py_END_ALLOW_THREADS
        for (int c = 0; c < N_STR && !failed; c++) {
            if (_PyBytes_Resize(&str_data[c], used[c] > 0 ? used[c] : 1) < 0) failed = 1;
        }
    }
    if (!failed) {
        PyObject *offs = PyTuple_New(N_STR), *datas = PyTuple_New(N_STR), *valids = PyTuple_New(N_STR);
        if (offs && datas && valids) {
            for (int c = 0; c < N_STR; c++) {
                Py_INCREF(str_off[c]);
                PyTuple_SET_ITEM(offs, c, str_off[c]);
                Py_INCREF(str_data[c]);
                PyTuple_SET_ITEM(datas, c, str_data[c]);
                Py_INCREF(str_valid[c]);
                PyTuple_SET_ITEM(valids, c, str_valid[c]);
            }
            result = Py_BuildValue("(OOOOOOOO)", ok, ts, status, nbytes, prefix, offs, datas, valids);
        }
        Py_XDECREF(offs);
        Py_XDECREF(datas);
        Py_XDECREF(valids);
    }
done:
    Py_XDECREF(ok);
    Py_XDECREF(ts);
    Py_XDECREF(status);
    Py_XDECREF(nbytes);
    Py_XDECREF(prefix);
    for (int c = 0; c < N_STR; c++) {
        Py_XDECREF(str_off[c]);
        Py_XDECREF(str_data[c]);
        Py_XDECREF(str_valid[c]);
    }
    PyBuffer_Release(&data);
    PyBuffer_Release(&offsets);
    return result;
}

static PyMethodDef methods[] = {
    {"parse", parse, METH_VARARGS,
     "parse(data, offsets, vhost, agent)\n"
     "-> (ok, ts, status, bytes, prefix_len, str_offsets, str_data, str_valid)\n"
     "String columns, in order: method, host, cloud_id, path, query, shape, client_ip, remote_user, user_agent, "
     "target."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_fastclf",
                                    "Fast path for NCSA access-log lines (see analyzer/formats/fastclf.py).", -1,
                                    methods};

PyMODINIT_FUNC PyInit__fastclf(void) { return PyModule_Create(&module); }
