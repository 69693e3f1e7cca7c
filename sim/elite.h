// elite.h: the built-in learner 'elite': the cross-entropy method over an archive of every
// episode the pool has had (an elitist CEM: Rubinstein & Kroese 2004, with the (mu + lambda)
// selection of evolution strategies and a nearest-neighbour estimate of each episode's expected
// score), so that every round's episodes, successes and failures, compete with all earlier ones
// and more robots mean a sharper estimate every round.
//
// After each round every archive episode gets a smoothed score, the mean score of its
// SF_ELITE_NEIGHBOURS nearest archive episodes (itself included; distances in prior SDs): an
// estimate of the expected score there, so that a lucky success among failures, or a fast
// success at the edge of the success region, does not outrank a region that succeeds reliably.
// The K best by smoothed score (ties: the later first), K = max(SF_ELITE_MIN,
// ceil(SF_ELITE_SHARE x the round's episodes)), and only successes once the archive has fewer
// than K of them, give the new sampling distribution: their weighted mean (weights
// ln(K + 1/2) - ln i, CMA-ES's recombination weights) and their weighted covariance about the
// previous mean (so the search stretches along the way the mean moved), both blended into the
// previous distribution at the rate mu_eff / (mu_eff + SF_ELITE_PRIOR_WEIGHT x n) (mu_eff the
// elites' effective number, n the values learned: a few elites move it a little, hundreds
// almost all the way), the covariance's eigenvalues floored at SF_ELITE_MIN_SD of the smallest
// range. A pool of 256 robots thus ranks 256 episodes after round 0 and 512 after round 1,
// keeping the best 52; a solo robot its own, keeping the best 10. The archive keeps the best
// SF_ELITE_KEEP x K episodes by smoothed score (at least SF_ELITE_KEEP_MIN), so memory and the
// smoothing's cost (archive squared) stay bounded over any number of rounds. A pure function of
// the episodes in order; no random state (x = m + B D z from the host's draws).
#ifndef SUTUREFLEET_SIM_ELITE_H_
#define SUTUREFLEET_SIM_ELITE_H_

#include <suturefleet/learner.h>

#define SF_ELITE_SHARE 0.2     // elites per episode of the round
#define SF_ELITE_MIN 10        // fewest elites (a solo robot's K)
#define SF_ELITE_MIN_SD 0.004  // floor of the search's SD, as a share of each value's range
#define SF_ELITE_KEEP 8        // the archive keeps this many times K
#define SF_ELITE_KEEP_MIN 256  //   and at least this many episodes
#define SF_ELITE_NEIGHBOURS 7  // episodes a smoothed score averages (chosen, not tuned)
#define SF_ELITE_PRIOR_WEIGHT \
  0.5  // the previous distribution's weight in the blend, in effective elites per value
       //   (chosen by measurement: 1 moved too slowly, 0.25 converged early; README)

// the built-in learner 'elite'
const sflLearner* sf_learner_elite(void);

#endif  // SUTUREFLEET_SIM_ELITE_H_
