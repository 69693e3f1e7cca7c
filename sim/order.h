// order.h: ranking by value, the one sort the learner and the rank planner share.
#ifndef SUTUREFLEET_SIM_ORDER_H_
#define SUTUREFLEET_SIM_ORDER_H_

// order (n): the indices 0 .. n-1 by value (n), largest first; ties: the higher index first, so
// the order is total and never depends on the sort
void sf_order_desc(const double* value, int n, int* order);

#endif  // SUTUREFLEET_SIM_ORDER_H_
