/* Plain C reference loops for DTW and discrete Fréchet (two-row buffers,
 * infinite borders, C[0][0] = 0), the comparison point for the Go kernels.
 * Build and run: ./run.sh   (gcc -O3 -march=native off by default: plain -O3).
 * Prints cells per second for two random planar trajectories of length N. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "dtwloop.h"

static double frechet(const double *ax, const double *ay, int n, const double *bx,
                      const double *by, int m, double *prev, double *cur) {
  prev[0] = 0;
  for (int j = 1; j <= m; j++) prev[j] = INFINITY;
  for (int i = 0; i < n; i++) {
    cur[0] = INFINITY;
    for (int j = 0; j < m; j++) {
      double dx = ax[i] - bx[j], dy = ay[i] - by[j];
      double d = dx * dx + dy * dy; /* squared; sqrt of the result at the end */
      double best = prev[j] < prev[j + 1] ? prev[j] : prev[j + 1];
      best = best < cur[j] ? best : cur[j];
      cur[j + 1] = d > best ? d : best;
    }
    double *t = prev; prev = cur; cur = t;
  }
  return sqrt(prev[m]);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* CPU time of this thread: robust to other processes sharing the cores. */
static double cpu(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000, reps = argc > 2 ? atoi(argv[2]) : 200;
  double *ax = malloc(n * sizeof(double)), *ay = malloc(n * sizeof(double));
  double *bx = malloc(n * sizeof(double)), *by = malloc(n * sizeof(double));
  double *prev = malloc((n + 1) * sizeof(double)), *cur = malloc((n + 1) * sizeof(double));
  srand(1);
  for (int i = 0; i < n; i++) {
    ax[i] = rand() / (double)RAND_MAX; ay[i] = rand() / (double)RAND_MAX;
    bx[i] = rand() / (double)RAND_MAX; by[i] = rand() / (double)RAND_MAX;
  }
  const char *names[2] = {"dtw", "frechet"};
  for (int k = 0; k < 2; k++) {
    double sum = 0, t0 = now(), c0 = cpu();
    for (int r = 0; r < reps; r++)
      sum += k == 0 ? dtw(ax, ay, n, bx, by, n, prev, cur) : frechet(ax, ay, n, bx, by, n, prev, cur);
    double dt = now() - t0, dc = cpu() - c0;
    printf("C-O3 %-8s n=%d reps=%d  %.1f M cells/s wall  %.1f M cells/cpu-s  (checksum %.6f)\n", names[k], n, reps,
           (double)n * n * reps / dt / 1e6, (double)n * n * reps / dc / 1e6, sum / reps);
  }
  return 0;
}
