/*
 * Optional compiled kernel of the tally engine's float batches (see
 * voting/tally/_kernel.py and _FloatBatch._price_uniform in mes.py, which this
 * mirrors).  Built by `make install` (`cc -O2 -ffp-contract=off -shared -fPIC`);
 * without it the engine computes the same decisions with NumPy alone.
 *
 * Every float here is an IEEE double rounded to nearest (no fast-math, no fused
 * multiply-add contraction): the error bounds the Python side relies on (a sum
 * of n terms within (n + 4) eps of its terms' absolute sum, whatever its order)
 * hold for these loops as for NumPy's.
 */
#include <stdint.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#ifndef SOURCE_SHA256
#define SOURCE_SHA256 ""
#endif
/* the SHA-256 of this file when it was built (the loader checks it) */
const char *kernel_source_sha256 = SOURCE_SHA256;

#define EPS 2.220446049250313e-16 /* 2**-52 */
#define MAX_NEWTON 40
#define PREFETCH 16 /* supporters ahead whose money is fetched early */

/* Fields of each share's result in `out` (OUT_FIELDS rows of m). */
enum {
    O_GONE,     /* 1: the supporters' money surely does not cover the cost */
    O_OK,       /* 1: priced, every decision clear (close aside, see O_CLOSE) */
    O_PRICE,    /* the price per voter (per unit of satisfaction x unit) */
    O_REL,      /* its relative error bound */
    O_ROUNDING, /* the roundings of the price's numerator */
    O_NUM,      /* the numerator (cost - money of those who pay all they have) */
    O_SAT_LEFT, /* the weight of those who pay the price in full */
    O_CLOSE,    /* 1: someone's money is within the largest error bound of the price */
    O_SPILL,    /* what buying it adds to the share's sum of weight x error */
    OUT_FIELDS
};

/* Two doubles at once (SSE2 on x86-64, NEON on arm64: both in their baseline). */
typedef double v2d __attribute__((vector_size(16)));
typedef int64_t v2l __attribute__((vector_size(16)));

static inline v2d load2(const double *p)
{
    v2d v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Over (b[i], w[i]), i < n: the weight of those short of the price and their money
 * (a sum of weight x money), without branches (who is short is unpredictable):
 * each weight kept or zeroed by the comparison's mask (w or +0, exactly), in four
 * partial sums (any order is within the bounds the callers use). */
static void short_of(const double *b, const double *w, int64_t n, double price, double *count,
                     double *money)
{
    const v2d p = {price, price};
    v2d c0 = {0, 0}, c1 = {0, 0}, m0 = {0, 0}, m1 = {0, 0};
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        v2d b0 = load2(b + i), b1 = load2(b + i + 2);
        v2d v0 = (v2d)((v2l)load2(w + i) & (v2l)(b0 < p));
        v2d v1 = (v2d)((v2l)load2(w + i + 2) & (v2l)(b1 < p));
        c0 += v0;
        c1 += v1;
        m0 += b0 * v0;
        m1 += b1 * v1;
    }
    double c = (c0[0] + c1[0]) + (c0[1] + c1[1]);
    double m = (m0[0] + m1[0]) + (m0[1] + m1[1]);
    for (; i < n; i++) {
        double v = w[i] * (double)(b[i] < price);
        c += v;
        m += b[i] * v;
    }
    *count = c;
    *money = m;
}

/* Newton's method from below over (b[i], w[i]), i < n: the price at which those
 * short of it pay all they have and the others the price covers the cost
 * (exactly _FloatBatch._price_uniform's iteration, one share).  Returns 0 when the
 * share is not ok (no one left to pay the price, or no convergence). */
static int newton(const double *b, const double *w, int64_t n, double c, double total,
                  double price0, double *price_out, double *paid_out, double *n_poor_out,
                  double *sat_left_out)
{
    double price = price0, n_poor, paid_next;
    short_of(b, w, n, price, &n_poor, &paid_next);
    double paid = 0.0, sat_left = total;
    int ok = 1;
    if (n_poor > 0) {
        int it;
        for (it = 0; it < MAX_NEWTON; it++) {
            paid = paid_next;
            sat_left = total - n_poor;
            if (!(sat_left > 0)) {
                ok = 0;
                break;
            }
            price = (c - paid) / sat_left;
            double more;
            short_of(b, w, n, price, &more, &paid_next);
            if (more == n_poor)
                break;
            n_poor = more;
        }
        if (it == MAX_NEWTON)
            ok = 0;
        if (!(sat_left > 0))
            ok = 0;
    }
    *price_out = price;
    *paid_out = paid;
    *n_poor_out = n_poor;
    *sat_left_out = sat_left;
    return ok;
}

/*
 * One project's price at m shares of a float batch.
 *
 * budget: n_groups x k (row-major), each distinct ballot's money at each share;
 * g, w: the project's supporters (ballot indices) and their weights, n of them;
 * cols: the m shares (columns of budget); err, spread, base: per share of the
 * batch (indexed by column); price0: per share priced, the starting price per voter;
 * c: the cost; total: the weight of all supporters; gamma: (n + 4) eps;
 * cut: the factor of the starting price under which supporters count as short
 * (0: no cut), keep: the largest share of supporters short for the cut to apply.
 * out: OUT_FIELDS x m results, then m x n: each share's supporters' money.
 */
void price_uniform(const double *budget, int64_t k, const int64_t *g, const double *w,
                   int64_t n, const int64_t *cols, int64_t m, const double *err,
                   const double *spread, const double *base, const double *price0, double c,
                   double total, double gamma, double cut, double keep, double *out)
{
    double *gathered = out + OUT_FIELDS * m;
    for (int64_t i = 0; i < n; i++) {
        if (i + PREFETCH < n)
            __builtin_prefetch(budget + g[i + PREFETCH] * k);
        const double *row = budget + g[i] * k;
        for (int64_t j = 0; j < m; j++)
            gathered[j * n + i] = row[cols[j]];
    }
    double *sb = NULL, *sw = NULL;
    if (cut > 0) {
        sb = malloc(sizeof(double) * (size_t)(n ? n : 1));
        sw = malloc(sizeof(double) * (size_t)(n ? n : 1));
        if (!sb || !sw) {
            free(sb);
            free(sw);
            sb = sw = NULL;
            cut = 0; /* (over every supporter: the same decisions) */
        }
    }
    for (int64_t j = 0; j < m; j++) {
        const double *b = gathered + j * n;
        const int64_t col = cols[j];
        const double e = err[col], sp = spread[col];
        double *o = out;
        for (int f = 0; f < OUT_FIELDS; f++)
            o[f * m + j] = 0.0;
        v2d a0 = {0, 0}, a1 = {0, 0};
        int64_t i4 = 0;
        for (; i4 + 4 <= n; i4 += 4) {
            a0 += load2(b + i4) * load2(w + i4);
            a1 += load2(b + i4 + 2) * load2(w + i4 + 2);
        }
        double avail = (a0[0] + a1[0]) + (a0[1] + a1[1]);
        for (; i4 < n; i4++)
            avail += b[i4] * w[i4];
        double slack = fmin(total * e, sp) + gamma * (avail + c);
        if (avail < c - slack) {
            o[O_GONE * m + j] = 1.0;
            continue;
        }
        if (!(avail > c + slack) || !(total > 0))
            continue;
        const double *bs = b, *ws = w;
        int64_t ns = n;
        double guess = 0.0;
        int cutting = 0;
        if (cut > 0) {
            guess = price0[j] * cut;
            int64_t s = 0;
            for (int64_t i = 0; i < n; i++) { /* (without branches: write, then keep or not) */
                sb[s] = b[i];
                sw[s] = w[i];
                s += b[i] < guess;
            }
            if ((double)s <= keep * (double)n) {
                cutting = 1;
                bs = sb;
                ws = sw;
                ns = s;
            }
        }
        for (;;) {
            double price, paid, n_poor, sat_left;
            int ok = newton(bs, ws, ns, c, total, price0[j], &price, &paid, &n_poor, &sat_left);
            double paid_err = fmin(e * n_poor, sp);
            double num = c - paid;
            double rounding = EPS * c + gamma * paid;
            double num_err = rounding + paid_err;
            if (!(num > 2 * num_err))
                ok = 0;
            double rel = (num_err / (num - num_err) + 4 * EPS) * 1.001;
            if (!(rel < 0.25))
                ok = 0;
            double tol = e + price * (2 * rel);
            if (cutting && ok && !((guess - price) * (1 - 1e-9) > tol * (1 + 1e-9))) {
                /* someone left out may be near the price: over every supporter */
                cutting = 0;
                bs = b;
                ws = w;
                ns = n;
                continue;
            }
            if (ok) {
                double least = INFINITY;
                for (int64_t i = 0; i < ns; i++) {
                    double d = fabs(bs[i] - price);
                    if (d < least)
                        least = d;
                }
                o[O_CLOSE * m + j] = least <= tol ? 1.0 : 0.0;
            }
            o[O_OK * m + j] = ok ? 1.0 : 0.0;
            o[O_PRICE * m + j] = price;
            o[O_REL * m + j] = rel;
            o[O_ROUNDING * m + j] = rounding;
            o[O_NUM * m + j] = num;
            o[O_SAT_LEFT * m + j] = sat_left;
            /* (as _FloatBatch._price_uniform: the roundings, then those paying in full) */
            o[O_SPILL * m + j] = (rounding + 4 * EPS * num) * 1.01 + sat_left * base[col];
            break;
        }
    }
    free(sb);
    free(sw);
}

/* Charge the supporters g (n) at the shares cols (m) the price per voter price[j]:
 * each one's money less the price, or 0 (as NumPy's maximum(b - price, 0)). */
void buy_uniform(double *budget, int64_t k, const int64_t *g, int64_t n, const int64_t *cols,
                 int64_t m, const double *price)
{
    for (int64_t i = 0; i < n; i++) {
        if (i + PREFETCH < n)
            __builtin_prefetch(budget + g[i + PREFETCH] * k, 1);
        double *row = budget + g[i] * k;
        for (int64_t j = 0; j < m; j++) {
            double v = row[cols[j]] - price[j];
            row[cols[j]] = v > 0.0 ? v : 0.0;
        }
    }
}
