/* The plain two-row DTW loop shared by dtw.c and pdist.c (infinite borders,
 * C[0][0] = 0): the C reference the Go kernels are measured against. */
#include <math.h>

static double dtw(const double *ax, const double *ay, int n, const double *bx,
                  const double *by, int m, double *prev, double *cur) {
  prev[0] = 0;
  for (int j = 1; j <= m; j++) prev[j] = INFINITY;
  for (int i = 0; i < n; i++) {
    cur[0] = INFINITY;
    for (int j = 0; j < m; j++) {
      double dx = ax[i] - bx[j], dy = ay[i] - by[j];
      double d = sqrt(dx * dx + dy * dy);
      double best = prev[j] < prev[j + 1] ? prev[j] : prev[j + 1];
      best = best < cur[j] ? best : cur[j];
      cur[j + 1] = d + best;
    }
    double *t = prev; prev = cur; cur = t;
  }
  return prev[m];
}
