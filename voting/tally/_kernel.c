/*
 * Optional compiled kernel of the tally engine's float prices: a CPython extension
 * module (see voting/tally/_kernel.py) for _FloatBatch._price_uniform and
 * _FloatBatch._buy_checked, and _RunState.eval_float, in mes.py, which it mirrors.
 * Built by `make install` (`cc -O2 -ffp-contract=off -shared -fPIC`, Python's
 * headers); without it the engine computes the same decisions with NumPy alone.
 *
 * Every float here is an IEEE double rounded to nearest (no fast-math, no fused
 * multiply-add contraction): the error bounds the Python side relies on (a sum
 * of n terms within (n + 4) eps of its terms' absolute sum, whatever its order)
 * hold for these loops as for NumPy's.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#ifndef SOURCE_SHA256
#define SOURCE_SHA256 ""
#endif

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
static void price_uniform(const double *budget, int64_t k, const int64_t *g, const double *w,
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
static void buy_uniform(double *budget, int64_t k, const int64_t *g, int64_t n, const int64_t *cols,
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

/* -- a run's float prices (_RunState.eval_float) ------------------------------ */

/* The money of the ballots g (n) from budget (one float per ballot) into b, and
 * sums[0] = the sum of weight x money, sums[1] = the least money. */
static void gather_money(const double *budget, const int64_t *g, const double *w, int64_t n, double *b,
                  double *sums)
{
    double a = 0.0, least = INFINITY;
    for (int64_t i = 0; i < n; i++) {
        if (i + PREFETCH < n)
            __builtin_prefetch(budget + g[i + PREFETCH]);
        double x = budget[g[i]];
        b[i] = x;
        a += w[i] * x;
        least = x < least ? x : least;
    }
    sums[0] = a;
    sums[1] = least;
}

/* The positions among idx (ni of them, increasing) of those whose money b is short
 * of the price, into out (without branches: written, then kept or not); how many. */
static int64_t short_at(const double *b, const int64_t *idx, int64_t ni, double price,
                        int64_t *out)
{
    int64_t k = 0;
    for (int64_t x = 0; x < ni; x++) {
        int64_t i = idx[x];
        out[k] = i;
        k += b[i] < price;
    }
    return k;
}

/* Their weight and their money (sum of weight x money), one running sum each in
 * the order of the positions: the same floats whichever list of candidates they
 * were found among. */
static void sums_at(const double *b, const double *w, const int64_t *at, int64_t k,
                    double *weight, double *money)
{
    double wt = 0.0, m = 0.0;
    for (int64_t x = 0; x < k; x++) {
        int64_t i = at[x];
        wt += w[i];
        m += b[i] * w[i];
    }
    *weight = wt;
    *money = m;
}

/*
 * _fixed_point (mes.py) for supporters whose satisfaction is the same: from price
 * (below the price), those whose money b is short of it pay all they have, the
 * others the price; iterate until no one else falls short.  Looks first at the
 * supporters short of `guess` only (when guess > 0 and at most keep x n of them
 * are), and again at all of them if a price reached passes the guess (then who
 * is short was decided over too few).  res: price, paid by those short, their
 * weight, the largest price reached, how many supporters the first look counted
 * and whether that look was the answer (1) or not (0); at: the positions of those
 * short (increasing, n of room); returns how many they are, or -1 (no
 * convergence, or no one left to pay the price), -2 (out of memory).
 */
static int64_t fixed_point(const double *b, const double *w, int64_t n, double price, double c,
                    double total, double guess, double keep, double *res, int64_t *at)
{
    size_t room = sizeof(int64_t) * (size_t)(n ? n : 1);
    int64_t *idx = malloc(room), *prev = malloc(room);
    if (!idx || !prev) {
        free(idx);
        free(prev);
        return -2;
    }
    int64_t ni = 0;
    if (guess > 0) {
        for (int64_t i = 0; i < n; i++) {
            idx[ni] = i;
            ni += b[i] < guess;
        }
        if ((double)ni > keep * (double)n)
            guess = 0;
    }
    const double start = price;
    res[4] = guess > 0 ? (double)ni : (double)n;
    res[5] = 1.0;
    int64_t result;
    for (;;) {
        if (!(guess > 0)) {
            for (int64_t i = 0; i < n; i++)
                idx[i] = i;
            ni = n;
        }
        double top = start, p = start;
        int64_t *cur = at, *next = prev;
        int64_t count = short_at(b, idx, ni, p, cur);
        double wt, paid;
        sums_at(b, w, cur, count, &wt, &paid);
        result = -1;
        for (int it = 0; it < MAX_NEWTON; it++) {
            double sat_left = total - wt;
            if (sat_left <= 0)
                break;
            double was = p;
            p = (c - paid) / sat_left;
            top = p > top ? p : top;
            int64_t more = short_at(b, idx, ni, p, next);
            /* (a price no lower than the last: those short of it include those short
             * of the last, so the same count means the same voters; a lower one:
             * the same voters only if the same positions) */
            int same = more == count;
            if (same && p < was)
                for (int64_t x = 0; x < count && same; x++)
                    same = cur[x] == next[x];
            if (same) {
                res[0] = p;
                res[1] = paid;
                res[2] = wt;
                res[3] = top;
                if (cur != at)
                    memcpy(at, cur, sizeof(int64_t) * (size_t)count);
                result = count;
                break;
            }
            int64_t *t = cur;
            cur = next;
            next = t;
            count = more;
            sums_at(b, w, cur, count, &wt, &paid);
        }
        if (guess > 0 && (result < 0 || res[3] > guess)) {
            guess = 0; /* over all of them */
            res[5] = 0.0;
            continue;
        }
        break;
    }
    free(idx);
    free(prev);
    return result;
}

/* Outcomes of eval_price (res[0]). */
enum { E_SHORT = 0, E_ALL_PAY = 1, E_CLOSE = 2, E_PRICED = 3, E_AFFORDABLE = 4 };

/*
 * _RunState.eval_float for supporters whose satisfaction is the same, in one call:
 * the money of the supporters g (n, weights w) into b, then, as there:
 * E_SHORT (their money surely short of the cost c), E_ALL_PAY (nobody short of
 * c / total: all pay it), E_CLOSE (too close to call), or E_PRICED (the fixed
 * point from max(c / total, start), looking first at those short of cut x that
 * when n >= cut_from; at: the positions of those who pay all they have).
 * first_look: only whether the money is surely short (E_SHORT, else
 * E_AFFORDABLE), before the spent supporters are dropped.
 * res: outcome, price per voter, relative error, money (sum of weight x money),
 * paid by those short, their weight, how many they are, how many supporters the
 * fixed point's first look counted, whether that look gave the answer, and (E_PRICED,
 * with `slope`, each ballot's d(money)/d(share), else 0) the sum of weight x slope of
 * those short.
 */
static void eval_price(const double *budget, const int64_t *g, const double *w, int64_t n, double c,
                double total, double w_sum, double err, double near, double start,
                int64_t cut_from, double cut, double keep, double rel_floor, double rel_factor,
                int64_t first_look, double *b, int64_t *at, const double *slope, double *res)
{
    double sums[2];
    gather_money(budget, g, w, n, b, sums);
    double avail = sums[0], least = sums[1];
    res[3] = avail;
    res[7] = 0;
    res[8] = 0;
    if (first_look) {
        res[0] = avail < c - (c * near + w_sum * err) ? E_SHORT : E_AFFORDABLE;
        return;
    }
    double price = c / total;
    double slack = c * near + w_sum * err;
    if (avail < c - slack) {
        res[0] = E_SHORT;
        return;
    }
    if (least >= price * (1 + near)) {
        res[0] = E_ALL_PAY;
        res[1] = price;
        res[2] = rel_floor;
        return;
    }
    if (avail <= c + slack) {
        res[0] = E_CLOSE;
        return;
    }
    price = price > start ? price : start;
    double fp[6];
    int64_t k = fixed_point(b, w, n, price, c, total, n >= cut_from ? price * cut : 0.0, keep,
                            fp, at);
    if (k == -2) {
        res[0] = -1; /* (out of memory) */
        return;
    }
    res[7] = fp[4];
    res[8] = fp[5];
    if (k < 0) {
        res[0] = E_CLOSE;
        return;
    }
    double paid = fp[1], w_poor = fp[2];
    double num = c - paid;
    if (num <= c * near) {
        res[0] = E_CLOSE;
        return;
    }
    res[0] = E_PRICED;
    res[1] = fp[0];
    res[2] = rel_floor + (rel_factor * (c + paid) + 2 * w_poor * err) / num;
    res[4] = paid;
    res[5] = w_poor;
    res[6] = (double)k;
    if (slope) {
        double spent = 0.0;
        for (int64_t j = 0; j < k; j++)
            spent += w[at[j]] * slope[g[at[j]]];
        res[9] = spent;
    }
}

/* -- a run's purchases (_RunState.buy) ------------------------------------------ */

/* Who among the supporters g (n) of a purchase at the price (per voter) pays all
 * the money it has: cls[i] 0 (spent already: `empty`), 1 (its money is surely
 * short of the price, by more than tol), 2 (surely more), 3 (unsure: the caller
 * decides exactly); the positions of the unsure into unsure; how many they are.
 * With `slope` (nullable; w: the weights), into sums what buy_apply's slopes need
 * when none is unsure: the weight of class 2, and the weight x slope of class 1. */
static int64_t buy_classify(const double *budget, const uint8_t *empty, const int64_t *g,
                            const double *w, int64_t n, double price, double tol,
                            const double *slope, int8_t *cls, int64_t *unsure, double *sums)
{
    int64_t k = 0;
    double sat_keeps = 0.0, spent_slopes = 0.0;
    for (int64_t i = 0; i < n; i++) {
        if (i + PREFETCH < n)
            __builtin_prefetch(budget + g[i + PREFETCH]);
        double b = budget[g[i]];
        int8_t c;
        if (empty[g[i]])
            c = 0;
        else if (b + tol < price)
            c = 1;
        else if (b - tol > price)
            c = 2;
        else
            c = 3;
        cls[i] = c;
        unsure[k] = i;
        k += c == 3;
        if (slope) {
            if (c == 2)
                sat_keeps += w[i];
            else if (c == 1)
                spent_slopes += w[i] * slope[g[i]];
        }
    }
    sums[0] = sat_keeps;
    sums[1] = spent_slopes;
    return k;
}

/* The purchase, once every supporter is classed 0, 1 or 2 (with `slope`, sums as
 * buy_classify gives them for these classes): those of class 1 are spent (money
 * 0, `empty`), those of class 2 pay the price (their money less it, or 0, as NumPy's
 * maximum); with `slope` (nullable), each supporter's d(money)/d(share) as
 * _RunState.buy keeps it (0 for the spent; the others lose unit times the price's
 * slope, minus the spent ones' weighted slopes over the others' satisfaction).
 * The spent ones' ballots into drained; how many they are. */
static int64_t buy_update(double *budget, uint8_t *empty, const int64_t *g, int64_t n,
                          const int8_t *cls, double price, double unit, double *slope,
                          const double *sums, int64_t *drained)
{
    int64_t k = 0;
    double sat_keeps = sums[0] * unit, spent_slopes = sums[1];
    double d_rho = sat_keeps > 0 ? -spent_slopes / sat_keeps : 0.0;
    for (int64_t i = 0; i < n; i++) {
        int64_t j = g[i];
        if (cls[i] == 1) {
            budget[j] = 0.0;
            empty[j] = 1;
            drained[k++] = j;
        } else if (cls[i] == 2) {
            double v = budget[j] - price;
            budget[j] = v > 0.0 ? v : 0.0;
        }
        if (slope)
            slope[j] = cls[i] == 2 && sat_keeps > 0 ? slope[j] - d_rho * unit : 0.0;
    }
    return k;
}

/* buy_update once the unsure ones are decided (classes 0, 1 and 2 only): its sums
 * made again over the classes as they now are. */
static int64_t buy_apply(double *budget, uint8_t *empty, const int64_t *g, const double *w,
                         int64_t n, const int8_t *cls, double price, double unit, double *slope,
                         int64_t *drained)
{
    double sums[2] = {0.0, 0.0};
    if (slope) {
        for (int64_t i = 0; i < n; i++) {
            if (cls[i] == 2)
                sums[0] += w[i];
            else if (cls[i] == 1)
                sums[1] += w[i] * slope[g[i]];
        }
    }
    return buy_update(budget, empty, g, n, cls, price, unit, slope, sums, drained);
}

/* -- a run's exact prices (_RunState.eval_exact, exact_sum) ---------------------- */

/* Among the supporters g (n, weights w, voters) of a project, with the price per
 * voter between low and high: the ballots of those whose money is surely below low
 * (they pay all they have) into poor, the positions of those neither surely below
 * low nor surely above high into unsure (spent ones aside); res: how many of each,
 * and the voters surely above high (they pay the price). */
static void exact_classify(const double *budget, const uint8_t *empty, const int64_t *g,
                           const int64_t *w, int64_t n, double low, double high, double tol,
                           int64_t *poor, int64_t *unsure, int64_t *res)
{
    int64_t np_ = 0, nu = 0, rich = 0;
    for (int64_t i = 0; i < n; i++) {
        if (i + PREFETCH < n)
            __builtin_prefetch(budget + g[i + PREFETCH]);
        int64_t j = g[i];
        if (empty[j])
            continue;
        double b = budget[j];
        if (b + tol < low)
            poor[np_++] = j;
        else if (b - tol > high)
            rich += w[i];
        else
            unsure[nu++] = i;
    }
    res[0] = np_;
    res[1] = nu;
    res[2] = rich;
}

/* For the ballots `groups` (k, voters `counts` per ballot): per purchase, the voters
 * supporting it, from the 0/1 columns `cols` (m) of `member` (n_groups x width,
 * float32); sums of integers below 2**53 in doubles, so exact.  Returns their voters. */
static int64_t member_counts(const float *member, int64_t width, const int64_t *counts,
                             const int64_t *groups, int64_t k, const int64_t *cols, int64_t m,
                             double *out)
{
    for (int64_t i = 0; i < m; i++)
        out[i] = 0.0;
    int64_t voters = 0;
    for (int64_t x = 0; x < k; x++) {
        if (x + PREFETCH < k)
            __builtin_prefetch(member + groups[x + PREFETCH] * width);
        const float *row = member + groups[x] * width;
        int64_t c = counts[groups[x]];
        double cd = (double)c;
        voters += c;
        for (int64_t i = 0; i < m; i++)
            out[i] += cd * (double)row[cols[i]];
    }
    return voters;
}

/* The same counts from one 64-bit mask per ballot (bit j: it supports the project
 * of member column j), for columns below 64: only the bought columns a ballot
 * supports are visited (a ballot supports few of them), from an array of a few
 * hundred kB that stays in the caches where the matrix does not.  cols: distinct
 * columns below 64 (checked by the caller). */
static int64_t member_bits(const uint64_t *bits, const int64_t *counts, const int64_t *groups,
                           int64_t k, const int64_t *cols, int64_t m, double *out)
{
    int64_t pos[64];
    uint64_t mask = 0;
    for (int64_t i = 0; i < m; i++) {
        out[i] = 0.0;
        pos[cols[i]] = i;
        mask |= (uint64_t)1 << cols[i];
    }
    int64_t voters = 0;
    for (int64_t x = 0; x < k; x++) {
        int64_t g = groups[x], c = counts[g];
        voters += c;
        for (uint64_t b = bits[g] & mask; b; b &= b - 1)
            out[pos[__builtin_ctzll(b)]] += (double)c;
    }
    return voters;
}

/* -- rates of money in the share (_Rates.upto) ---------------------------------- */

/* One round of _Rates.upto: the purchase's supporters g (n, weights wt, the same
 * satisfaction `unit`), those it drained at y (poor_y, np_) and at x (poor_x, nx);
 * counts: voters per ballot; sigma, dead_x, dead_y updated in place.  Sums in any
 * order: the caller's factors (1 - 4e-9) cover their roundings many times over. */
static void rates_round(const int64_t *g, const double *wt, int64_t n, double unit,
                        const int64_t *poor_y, int64_t np_, const int64_t *poor_x, int64_t nx,
                        const int64_t *counts, double *sigma, uint8_t *dead_x, uint8_t *dead_y)
{
    for (int64_t i = 0; i < np_; i++)
        dead_y[poor_y[i]] = 1;
    double sat_keeps = 0.0;
    for (int64_t i = 0; i < n; i++)
        sat_keeps += dead_y[g[i]] ? 0.0 : wt[i];
    sat_keeps *= unit;
    double num = 0.0;
    int64_t counted = 0;
    for (int64_t i = 0; i < np_; i++) {
        int64_t j = poor_y[i];
        if (!dead_x[j]) {
            num += (double)counts[j] * sigma[j];
            counted++;
        }
    }
    if (counted && sat_keeps > 0) {
        double k = num / sat_keeps * (1 - 4e-9);
        double add = k * unit * (1 - 4e-9);
        for (int64_t i = 0; i < n; i++)
            sigma[g[i]] += add;
    }
    for (int64_t i = 0; i < nx; i++)
        dead_x[poor_x[i]] = 1;
}

/* -- supporters with money left (_RunState.live) -------------------------------- */

/* The supporters g (n, weights w and w_f) whose ballots are not `empty`, in order,
 * into out_g, out_w, out_wf; how many. */
static int64_t compact(const uint8_t *empty, const int64_t *g, const int64_t *w, const double *w_f,
                       int64_t n, int64_t *out_g, int64_t *out_w, double *out_wf, double *total)
{
    int64_t k = 0;
    double sum = 0.0; /* (of integers below 2**53: exact in any order) */
    for (int64_t i = 0; i < n; i++) {
        int keep = !empty[g[i]];
        out_g[k] = g[i];
        out_w[k] = w[i];
        out_wf[k] = w_f[i];
        sum += keep ? w_f[i] : 0.0;
        k += keep;
    }
    *total = sum;
    return k;
}

/* -- the module ------------------------------------------------------------------ */

/* Buffers of the NumPy arrays passed (C-contiguous, so that PyBUF_SIMPLE is given,
 * of the dtypes the functions take: the callers make them so), each checked to
 * hold at least the bytes read or written. */
typedef struct {
    Py_buffer views[12]; /* (at most 9 used) */
    int n;
} Buffers;

static void *buffer(Buffers *bs, PyObject *obj, Py_ssize_t need, int writable)
{
    Py_buffer *v = &bs->views[bs->n];
    if (PyObject_GetBuffer(obj, v, writable ? PyBUF_WRITABLE : PyBUF_SIMPLE) < 0)
        return NULL;
    bs->n++;
    if (v->len < need) {
        PyErr_SetString(PyExc_ValueError, "array too short for the kernel");
        return NULL;
    }
    return v->buf;
}

static void release(Buffers *bs)
{
    for (int i = 0; i < bs->n; i++)
        PyBuffer_Release(&bs->views[i]);
}

#define CHECK_ARGS(count, name)                                                                \
    if (nargs != (count)) {                                                                    \
        PyErr_SetString(PyExc_TypeError, name "() takes " #count " arguments");              \
        return NULL;                                                                           \
    }

/* price_uniform(budget, k, g, w, cols, err, spread, base, price0, c, total, gamma, cut,
 *               keep, out): see the C function; out: FIELDS x m, then m x n. */
static PyObject *py_price_uniform(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    CHECK_ARGS(15, "price_uniform");
    Py_ssize_t k = PyLong_AsSsize_t(args[1]);
    double c = PyFloat_AsDouble(args[9]), total = PyFloat_AsDouble(args[10]);
    double gamma = PyFloat_AsDouble(args[11]), cut = PyFloat_AsDouble(args[12]);
    double keep = PyFloat_AsDouble(args[13]);
    if (PyErr_Occurred())
        return NULL;
    Buffers bs = {.n = 0};
    Py_ssize_t n = PyObject_Length(args[2]), m = PyObject_Length(args[4]);
    if (PyErr_Occurred())
        return NULL;
    const double *budget = buffer(&bs, args[0], 0, 0);
    const int64_t *g = budget ? buffer(&bs, args[2], 8 * n, 0) : NULL;
    const double *w = g ? buffer(&bs, args[3], 8 * n, 0) : NULL;
    const int64_t *cols = w ? buffer(&bs, args[4], 8 * m, 0) : NULL;
    const double *err = cols ? buffer(&bs, args[5], 8 * k, 0) : NULL;
    const double *spread = err ? buffer(&bs, args[6], 8 * k, 0) : NULL;
    const double *base = spread ? buffer(&bs, args[7], 8 * k, 0) : NULL;
    const double *price0 = base ? buffer(&bs, args[8], 8 * m, 0) : NULL;
    double *out = price0 ? buffer(&bs, args[14], 8 * (OUT_FIELDS * m + m * n), 1) : NULL;
    if (out) {
        price_uniform(budget, k, g, w, n, cols, m, err, spread, base, price0, c, total, gamma,
                      cut, keep, out);
    }
    release(&bs);
    if (!out)
        return NULL;
    Py_RETURN_NONE;
}

/* buy_uniform(budget, k, g, cols, price): see the C function. */
static PyObject *py_buy_uniform(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    CHECK_ARGS(5, "buy_uniform");
    Py_ssize_t k = PyLong_AsSsize_t(args[1]);
    if (PyErr_Occurred())
        return NULL;
    Buffers bs = {.n = 0};
    Py_ssize_t n = PyObject_Length(args[2]), m = PyObject_Length(args[3]);
    if (PyErr_Occurred())
        return NULL;
    double *budget = buffer(&bs, args[0], 0, 1);
    const int64_t *g = budget ? buffer(&bs, args[2], 8 * n, 0) : NULL;
    const int64_t *cols = g ? buffer(&bs, args[3], 8 * m, 0) : NULL;
    const double *price = cols ? buffer(&bs, args[4], 8 * m, 0) : NULL;
    if (price)
        buy_uniform(budget, k, g, n, cols, m, price);
    release(&bs);
    if (!price)
        return NULL;
    Py_RETURN_NONE;
}

/* eval_price(budget, g, w, c, total, err, start, first_look, near, cut_from, cut, keep,
 *            rel_floor, rel_factor, b, at, slope or None): see the C function; b and at
 * (n each) receive the money and the positions; returns its 10 results as a tuple of
 * floats. */
static PyObject *py_eval_price(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    CHECK_ARGS(17, "eval_price");
    double c = PyFloat_AsDouble(args[3]), total = PyFloat_AsDouble(args[4]);
    double err = PyFloat_AsDouble(args[5]), start = PyFloat_AsDouble(args[6]);
    int first_look = PyObject_IsTrue(args[7]);
    if (first_look < 0)
        return NULL;
    double near = PyFloat_AsDouble(args[8]);
    Py_ssize_t cut_from = PyLong_AsSsize_t(args[9]);
    double cut = PyFloat_AsDouble(args[10]), keep = PyFloat_AsDouble(args[11]);
    double rel_floor = PyFloat_AsDouble(args[12]), rel_factor = PyFloat_AsDouble(args[13]);
    if (PyErr_Occurred())
        return NULL;
    Buffers bs = {.n = 0};
    Py_ssize_t n = PyObject_Length(args[1]);
    if (PyErr_Occurred())
        return NULL;
    const double *budget = buffer(&bs, args[0], 0, 0);
    const int64_t *g = budget ? buffer(&bs, args[1], 8 * n, 0) : NULL;
    const double *w = g ? buffer(&bs, args[2], 8 * n, 0) : NULL;
    double *b = w ? buffer(&bs, args[14], 8 * n, 1) : NULL;
    int64_t *at = b ? buffer(&bs, args[15], 8 * n, 1) : NULL;
    /* (the slopes are read at the supporters' ballots: as long as the money) */
    const double *slope = NULL;
    int ok = at != NULL;
    if (ok && args[16] != Py_None) {
        Py_ssize_t groups = PyObject_Length(args[0]);
        slope = groups < 0 ? NULL : buffer(&bs, args[16], 8 * groups, 0);
        ok = slope != NULL;
    }
    double res[10] = {0};
    if (ok)
        eval_price(budget, g, w, n, c, total, total, err, near, start, cut_from, cut, keep,
                   rel_floor, rel_factor, first_look, b, at, slope, res);
    release(&bs);
    if (!ok)
        return NULL;
    if (res[0] < 0)
        return PyErr_NoMemory();
    PyObject *t = PyTuple_New(10);
    if (!t)
        return NULL;
    for (int i = 0; i < 10; i++)
        PyTuple_SET_ITEM(t, i, PyFloat_FromDouble(res[i]));
    return t;
}

/* buy(budget, empty, g, w, price, tol, unit, slope or None, cls, room): a run's purchase
 * in one pass when nobody's money is too close to the price to tell in floats
 * (buy_classify, then buy_update): returns how many were spent, their ballots in room;
 * else -1 - how many are unsure, their positions in room and every class in cls, and
 * nothing changed (the caller decides them exactly, then calls buy_apply). */
static PyObject *py_buy(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    CHECK_ARGS(10, "buy");
    double price = PyFloat_AsDouble(args[4]), tol = PyFloat_AsDouble(args[5]);
    double unit = PyFloat_AsDouble(args[6]);
    if (PyErr_Occurred())
        return NULL;
    Buffers bs = {.n = 0};
    Py_ssize_t n = PyObject_Length(args[2]);
    if (PyErr_Occurred())
        return NULL;
    double *budget = buffer(&bs, args[0], 0, 1);
    uint8_t *empty = budget ? buffer(&bs, args[1], 0, 1) : NULL;
    const int64_t *g = empty ? buffer(&bs, args[2], 8 * n, 0) : NULL;
    const double *w = g ? buffer(&bs, args[3], 8 * n, 0) : NULL;
    double *slope = NULL;
    int ok = w != NULL;
    if (ok && args[7] != Py_None)
        ok = (slope = buffer(&bs, args[7], 0, 1)) != NULL;
    int8_t *cls = ok ? buffer(&bs, args[8], n, 1) : NULL;
    int64_t *room = cls ? buffer(&bs, args[9], 8 * n, 1) : NULL;
    int64_t k = 0;
    if (room) {
        double sums[2];
        k = buy_classify(budget, empty, g, w, n, price, tol, slope, cls, room, sums);
        k = k ? -1 - k : buy_update(budget, empty, g, n, cls, price, unit, slope, sums, room);
    }
    release(&bs);
    if (!room)
        return NULL;
    return PyLong_FromLongLong(k);
}

/* buy_apply(budget, empty, g, w, cls, price, unit, slope or None, drained): see the C
 * function; returns how many were spent. */
static PyObject *py_buy_apply(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    CHECK_ARGS(9, "buy_apply");
    double price = PyFloat_AsDouble(args[5]), unit = PyFloat_AsDouble(args[6]);
    if (PyErr_Occurred())
        return NULL;
    Buffers bs = {.n = 0};
    Py_ssize_t n = PyObject_Length(args[2]);
    if (PyErr_Occurred())
        return NULL;
    double *budget = buffer(&bs, args[0], 0, 1);
    uint8_t *empty = budget ? buffer(&bs, args[1], 0, 1) : NULL;
    const int64_t *g = empty ? buffer(&bs, args[2], 8 * n, 0) : NULL;
    const double *w = g ? buffer(&bs, args[3], 8 * n, 0) : NULL;
    const int8_t *cls = w ? buffer(&bs, args[4], n, 0) : NULL;
    double *slope = NULL;
    int ok = cls != NULL;
    if (ok && args[7] != Py_None)
        ok = (slope = buffer(&bs, args[7], 0, 1)) != NULL;
    int64_t *drained = ok ? buffer(&bs, args[8], 8 * n, 1) : NULL;
    int64_t k = 0;
    if (drained)
        k = buy_apply(budget, empty, g, w, n, cls, price, unit, slope, drained);
    release(&bs);
    if (!drained)
        return NULL;
    return PyLong_FromLongLong(k);
}

/* exact_classify(budget, empty, g, w, low, high, tol, poor, unsure): see the C
 * function; returns (how many poor, how many unsure, voters surely above). */
static PyObject *py_exact_classify(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    CHECK_ARGS(9, "exact_classify");
    double low = PyFloat_AsDouble(args[4]), high = PyFloat_AsDouble(args[5]);
    double tol = PyFloat_AsDouble(args[6]);
    if (PyErr_Occurred())
        return NULL;
    Buffers bs = {.n = 0};
    Py_ssize_t n = PyObject_Length(args[2]);
    if (PyErr_Occurred())
        return NULL;
    const double *budget = buffer(&bs, args[0], 0, 0);
    const uint8_t *empty = budget ? buffer(&bs, args[1], 0, 0) : NULL;
    const int64_t *g = empty ? buffer(&bs, args[2], 8 * n, 0) : NULL;
    const int64_t *w = g ? buffer(&bs, args[3], 8 * n, 0) : NULL;
    int64_t *poor = w ? buffer(&bs, args[7], 8 * n, 1) : NULL;
    int64_t *unsure = poor ? buffer(&bs, args[8], 8 * n, 1) : NULL;
    int64_t res[3];
    if (unsure)
        exact_classify(budget, empty, g, w, n, low, high, tol, poor, unsure, res);
    release(&bs);
    if (!unsure)
        return NULL;
    return Py_BuildValue("(LLL)", (long long)res[0], (long long)res[1], (long long)res[2]);
}

/* member_counts(member, counts, groups, cols, out): see the C function (member
 * float32, C-contiguous, two-dimensional); returns how many voters the ballots have. */
static PyObject *py_member_counts(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    CHECK_ARGS(5, "member_counts");
    Buffers bs = {.n = 0};
    Py_ssize_t k = PyObject_Length(args[2]), m = PyObject_Length(args[3]);
    if (PyErr_Occurred())
        return NULL;
    Py_buffer *v = &bs.views[0];
    if (PyObject_GetBuffer(args[0], v, PyBUF_ND | PyBUF_FORMAT) < 0)
        return NULL;
    bs.n = 1;
    if (v->ndim != 2 || v->itemsize != 4 || !v->format || strcmp(v->format, "f") != 0) {
        release(&bs);
        PyErr_SetString(PyExc_ValueError, "member_counts takes a 2-D float32 matrix");
        return NULL;
    }
    const float *member = v->buf;
    int64_t width = v->shape[1];
    const int64_t *counts = buffer(&bs, args[1], 8 * v->shape[0], 0);
    const int64_t *groups = counts ? buffer(&bs, args[2], 8 * k, 0) : NULL;
    const int64_t *cols = groups ? buffer(&bs, args[3], 8 * m, 0) : NULL;
    double *out = cols ? buffer(&bs, args[4], 8 * m, 1) : NULL;
    int64_t voters = 0;
    if (out)
        voters = member_counts(member, width, counts, groups, k, cols, m, out);
    release(&bs);
    if (!out)
        return NULL;
    return PyLong_FromLongLong(voters);
}

/* member_bits(bits, counts, groups, cols, out): see the C function (bits: one uint64
 * per ballot, as many as counts; cols: distinct, below 64); returns how many voters
 * the ballots have. */
static PyObject *py_member_bits(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    CHECK_ARGS(5, "member_bits");
    Buffers bs = {.n = 0};
    Py_ssize_t n = PyObject_Length(args[0]), k = PyObject_Length(args[2]);
    if (PyErr_Occurred())
        return NULL;
    Py_ssize_t m = PyObject_Length(args[3]);
    if (PyErr_Occurred())
        return NULL;
    const uint64_t *bits = buffer(&bs, args[0], 8 * n, 0);
    const int64_t *counts = bits ? buffer(&bs, args[1], 8 * n, 0) : NULL;
    const int64_t *groups = counts ? buffer(&bs, args[2], 8 * k, 0) : NULL;
    const int64_t *cols = groups ? buffer(&bs, args[3], 8 * m, 0) : NULL;
    double *out = cols ? buffer(&bs, args[4], 8 * m, 1) : NULL;
    if (out) {
        uint64_t seen = 0;
        for (Py_ssize_t i = 0; i < m && out; i++) {
            if (cols[i] < 0 || cols[i] >= 64 || (seen >> cols[i]) & 1) {
                PyErr_SetString(PyExc_ValueError, "member_bits takes distinct columns below 64");
                out = NULL;
            } else
                seen |= (uint64_t)1 << cols[i];
        }
        for (Py_ssize_t x = 0; x < k && out; x++) {
            if (groups[x] < 0 || groups[x] >= n) {
                PyErr_SetString(PyExc_ValueError, "member_bits: a ballot out of range");
                out = NULL;
            }
        }
    }
    int64_t voters = 0;
    if (out)
        voters = member_bits(bits, counts, groups, k, cols, m, out);
    release(&bs);
    if (!out)
        return NULL;
    return PyLong_FromLongLong(voters);
}

/* rates_round(g, wt, unit, poor_y, poor_x, counts, sigma, dead_x, dead_y): see the C
 * function (ballot-indexed arrays checked against counts' length). */
static PyObject *py_rates_round(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    CHECK_ARGS(9, "rates_round");
    double unit = PyFloat_AsDouble(args[2]);
    if (PyErr_Occurred())
        return NULL;
    Buffers bs = {.n = 0};
    Py_ssize_t n = PyObject_Length(args[0]), np_ = PyObject_Length(args[3]);
    if (PyErr_Occurred())
        return NULL;
    Py_ssize_t nx = PyObject_Length(args[4]), groups = PyObject_Length(args[5]);
    if (PyErr_Occurred())
        return NULL;
    const int64_t *g = buffer(&bs, args[0], 8 * n, 0);
    const double *wt = g ? buffer(&bs, args[1], 8 * n, 0) : NULL;
    const int64_t *poor_y = wt ? buffer(&bs, args[3], 8 * np_, 0) : NULL;
    const int64_t *poor_x = poor_y ? buffer(&bs, args[4], 8 * nx, 0) : NULL;
    const int64_t *counts = poor_x ? buffer(&bs, args[5], 8 * groups, 0) : NULL;
    double *sigma = counts ? buffer(&bs, args[6], 8 * groups, 1) : NULL;
    uint8_t *dead_x = sigma ? buffer(&bs, args[7], groups, 1) : NULL;
    uint8_t *dead_y = dead_x ? buffer(&bs, args[8], groups, 1) : NULL;
    if (dead_y)
        rates_round(g, wt, n, unit, poor_y, np_, poor_x, nx, counts, sigma, dead_x, dead_y);
    release(&bs);
    if (!dead_y)
        return NULL;
    Py_RETURN_NONE;
}

/* compact(empty, g, w, w_f, out_g, out_w, out_wf): see the C function; returns how
 * many are kept and their weight. */
static PyObject *py_compact(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    CHECK_ARGS(7, "compact");
    Buffers bs = {.n = 0};
    Py_ssize_t n = PyObject_Length(args[1]);
    if (PyErr_Occurred())
        return NULL;
    const uint8_t *empty = buffer(&bs, args[0], 0, 0);
    const int64_t *g = empty ? buffer(&bs, args[1], 8 * n, 0) : NULL;
    const int64_t *w = g ? buffer(&bs, args[2], 8 * n, 0) : NULL;
    const double *w_f = w ? buffer(&bs, args[3], 8 * n, 0) : NULL;
    int64_t *out_g = w_f ? buffer(&bs, args[4], 8 * n, 1) : NULL;
    int64_t *out_w = out_g ? buffer(&bs, args[5], 8 * n, 1) : NULL;
    double *out_wf = out_w ? buffer(&bs, args[6], 8 * n, 1) : NULL;
    int64_t k = 0;
    double total = 0.0;
    if (out_wf)
        k = compact(empty, g, w, w_f, n, out_g, out_w, out_wf, &total);
    release(&bs);
    if (!out_wf)
        return NULL;
    return Py_BuildValue("(Ld)", (long long)k, total);
}

static PyMethodDef methods[] = {
    {"price_uniform", (PyCFunction)(void (*)(void))py_price_uniform, METH_FASTCALL,
     "One project's float price at several shares of a batch."},
    {"buy_uniform", (PyCFunction)(void (*)(void))py_buy_uniform, METH_FASTCALL,
     "A purchase at several shares of a batch."},
    {"eval_price", (PyCFunction)(void (*)(void))py_eval_price, METH_FASTCALL,
     "A run's float price of one project."},
    {"buy", (PyCFunction)(void (*)(void))py_buy, METH_FASTCALL,
     "A run's purchase when all is clear in floats."},
    {"buy_apply", (PyCFunction)(void (*)(void))py_buy_apply, METH_FASTCALL,
     "A run's purchase."},
    {"member_counts", (PyCFunction)(void (*)(void))py_member_counts, METH_FASTCALL,
     "Voters of some ballots supporting each purchase."},
    {"member_bits", (PyCFunction)(void (*)(void))py_member_bits, METH_FASTCALL,
     "Voters of some ballots supporting each purchase, from one mask per ballot."},
    {"rates_round", (PyCFunction)(void (*)(void))py_rates_round, METH_FASTCALL,
     "One round of the rates of money in the share."},
    {"compact", (PyCFunction)(void (*)(void))py_compact, METH_FASTCALL,
     "The supporters with money left."},
    {"exact_classify", (PyCFunction)(void (*)(void))py_exact_classify, METH_FASTCALL,
     "Who is surely poor, surely rich or unsure for an exact price."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_kernel_lib", "The tally engine's compiled kernel.", -1, methods,
};

PyMODINIT_FUNC PyInit__kernel_lib(void)
{
    PyObject *m = PyModule_Create(&module);
    if (!m)
        return NULL;
    /* the SHA-256 of _kernel.c when it was built (the loader checks it) */
    if (PyModule_AddStringConstant(m, "SOURCE_SHA256", SOURCE_SHA256) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
