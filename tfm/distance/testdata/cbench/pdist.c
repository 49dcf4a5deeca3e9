/* Plain C whole-process DTW pdist: the comparison point for
 * `tfm distance pdist --metric dtw --threads 1 --format csv FILE` on short
 * trajectories (real GPS trips are short: the median taxi trip of a city
 * sample has ~10 points, where per-pair overhead, parsing and printing
 * count, not only the kernel).
 *
 *   pdist gen N > trips.csv   N trajectories, 5–15 points (median 10), "id,lon,lat" rows
 *   pdist trips.csv           parse, DTW (planar, two-row buffers) of every pair i<j in
 *                             file order, print each value with %.17g, one per line
 *
 * Build: gcc -O3 -o pdist pdist.c -lm (run.sh does). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtwloop.h"

/* A deterministic generator (xorshift), so both programs read the same file. */
static unsigned long long rng = 88172645463325252ULL;
static double uniform(void) {
  rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
  return (rng >> 11) * (1.0 / 9007199254740992.0);
}

static int gen(int n) {
  printf("id,lon,lat\n");
  for (int t = 0; t < n; t++) {
    int len = 5 + (int)(uniform() * 11); /* 5..15 */
    double lon = -8.65 + uniform() * 0.1, lat = 41.10 + uniform() * 0.1;
    for (int k = 0; k < len; k++) {
      lon += (uniform() - 0.5) * 0.004;
      lat += (uniform() - 0.5) * 0.004;
      printf("t%d,%.6f,%.6f\n", t, lon, lat);
    }
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "gen") == 0) return gen(atoi(argv[2]));
  if (argc != 2) {
    fprintf(stderr, "usage: pdist gen N > trips.csv | pdist trips.csv\n");
    return 2;
  }
  FILE *f = fopen(argv[1], "r");
  if (!f) { perror(argv[1]); return 1; }
  size_t cap = 1 << 16, np = 0, nt = 0, tcap = 1 << 10;
  double *x = malloc(cap * sizeof *x), *y = malloc(cap * sizeof *y);
  size_t *start = malloc((tcap + 1) * sizeof *start);
  char line[256], prev[256] = "";
  if (!fgets(line, sizeof line, f)) { fprintf(stderr, "%s: empty\n", argv[1]); return 1; }
  while (fgets(line, sizeof line, f)) {
    char *c1 = strchr(line, ',');
    if (!c1) continue;
    *c1 = 0;
    char *end;
    double lon = strtod(c1 + 1, &end), lat = strtod(end + 1, NULL);
    if (nt == 0 || strcmp(line, prev) != 0) {
      if (nt == tcap) { tcap *= 2; start = realloc(start, (tcap + 1) * sizeof *start); }
      start[nt++] = np;
      memcpy(prev, line, strlen(line) + 1); /* an id fits: it is part of line */
    }
    if (np == cap) { cap *= 2; x = realloc(x, cap * sizeof *x); y = realloc(y, cap * sizeof *y); }
    x[np] = lon; y[np] = lat; np++;
  }
  fclose(f);
  start[nt] = np;
  size_t maxlen = 0;
  for (size_t t = 0; t < nt; t++)
    if (start[t + 1] - start[t] > maxlen) maxlen = start[t + 1] - start[t];
  double *r0 = malloc((maxlen + 1) * sizeof *r0), *r1 = malloc((maxlen + 1) * sizeof *r1);
  for (size_t i = 0; i < nt; i++)
    for (size_t j = i + 1; j < nt; j++) {
      size_t a = start[i], b = start[j];
      printf("%.17g\n", dtw(x + a, y + a, (int)(start[i + 1] - a), x + b, y + b, (int)(start[j + 1] - b), r0, r1));
    }
  return 0;
}
