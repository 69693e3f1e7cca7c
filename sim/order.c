// order.c: ranking by value.
#include "order.h"

#include <stdlib.h>

#include "status.h"

// a value and its index; ordered largest value first, then higher index first
typedef struct sfRanked_ {
  double value;
  int index;
} sfRanked;

static int sf_ranked_cmp(const void* a, const void* b) {
  const sfRanked* x = a;
  const sfRanked* y = b;
  if (x->value != y->value) return x->value > y->value ? -1 : 1;
  return y->index - x->index;
}

void sf_order_desc(const double* value, int n, int* order) {
  sfRanked* r = SF_CALLOC(n > 0 ? n : 1, sizeof(sfRanked));
  for (int i = 0; i < n; i++) r[i] = (sfRanked){value[i], i};
  qsort(r, (size_t)n, sizeof(sfRanked), sf_ranked_cmp);
  for (int i = 0; i < n; i++) order[i] = r[i].index;
  free(r);
}
