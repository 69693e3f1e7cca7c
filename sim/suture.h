// suture.h: the suture thread and the wound it closes (the fast scene's analytic model; README
// "The thread and the wound" documents it with its ranges).
//
// The wound: the pad is cut along the wound line; its two edges stand apart by gap0 and are
// held by the elastic tissue behind them. Each edge is a beam on an elastic foundation
// (Hetenyi 1946): a stitch pulling it with force T at s_i moves it towards the other edge by
//   w(s) = T beta / (2 k) exp(-beta |x|) (cos beta|x| + sin beta|x|),   x = s - s_i,
// k the foundation modulus (N/m per m of wound length) and 1/beta the length over which a point
// load spreads. The gap along the wound is g(s) = max(0, gap0 - 2 sum_i w_i(s)): it lies closed
// under stitches close enough and gapes between stitches spaced too far apart. Closure is the
// share of gap0 closed, over the sutured span (the stitches' extent, widened by half a hole
// spacing either side) and at its worst point.
//
// The thread: fixed to the needle's tail, it follows the needle through each throw's entry and
// exit holes. The first throw is anchored by the knot at the thread's end; each later throw
// runs on from the previous exit over the wound to the next entry (a running suture). While the
// needle is in the tissue the thread behind it is slack. When the needle's tail leaves the exit
// hole the stitch is passed: the slack still to draw through (thread_slack) must be taken up by
// the pull before the thread tightens. Pulled further, the thread closes the wound at the
// stitch, presses into the tissue at the holes (SF_SUTURE_HOLE_M_N) and stretches (EA over the
// free length); the tunnel's tension T_t and the needle's
// T_n differ by the capstan friction where the thread turns at the exit hole:
// T_n = T_t exp(mu theta), theta the angle between the tunnel's exit tangent and the pull. The
// crossover to the previous stitch passes the pull on to it (through its exit hole's turn)
// when that raises its tension: later stitches share the load. A throw that ends locks its
// stitch's tension (the thread is held by friction in the holes).
//
// Cut-through: a stitch whose tunnel tension, or the load of the thread on its exit hole (the
// resultant of the two tensions meeting there), passes the tissue's holding strength tears
// through the edge: its tension is lost, it counts as a cut-through event and adds the torn
// strip (bite x SF_SUTURE_TEAR_WIDTH_M, both edges) to the trauma.
#ifndef SUTUREFLEET_SIM_SUTURE_H_
#define SUTUREFLEET_SIM_SUTURE_H_

#include <mujoco/mujoco.h>

#define SF_SUTURE_MAX 4              // most stitches (as SF_MAX_STITCHES)
#define SF_SUTURE_BETA_1_M 150.0     // 1/beta = 6.7 mm: how far along the edge a stitch pulls
#define SF_SUTURE_EA_N 60.0          // thread axial stiffness (a 3-0 braided suture, ~0.3 mm)
#define SF_SUTURE_TEAR_WIDTH_M 3e-4  // width of the strip a cut-through tears (thread diameter)
#define SF_SUTURE_HOLE_M_N 1e-3      // the tissue at the holes yields 1 mm per N under the thread
#define SF_SUTURE_SPAN_M 0.004       // the sutured span extends this far beyond the end stitches
#define SF_SUTURE_SAMPLES 33         // gap samples over the span (closure, replay)
#define SF_THREAD_PTS 16             // points of the thread's drawn path (knot .. needle tail)
#define SF_WOUND_GAP_N 41            // gap samples a trajectory records along the wound line ...
#define SF_WOUND_GAP_STEP_M 0.001    // ... this far apart, centred on the wound's reference point

// the wound and thread of one episode (drawn per episode within documented ranges)
typedef struct sfSutureParams_ {
  mjtNum gap0_m;        // initial gap between the edges
  mjtNum edge_k_N_m2;   // foundation modulus of each edge (N/m per m of wound)
  mjtNum strength_N;    // holding strength of the tissue at a hole
  mjtNum slack_m;       // thread to draw through before a passed stitch tightens
  mjtNum mu;            // thread-tissue friction coefficient (capstan at the holes)
  mjtNum wound_pos[3];  // a point on the wound line (world)
  mjtNum wound_dir[3];  // its direction (unit)
} sfSutureParams;

// one stitch of the running suture
typedef struct sfStitch_ {
  mjtNum s_m;       // where it crosses the wound (along the wound from wound_pos)
  mjtNum entry[3];  // where the thread enters and leaves the tissue (world)
  mjtNum exit[3];
  mjtNum mid[3];      // the tunnel's deepest point (drawn path)
  mjtNum in_dir[3];   // the tunnel's tangent at the entry hole, into the tissue (unit)
  mjtNum out_dir[3];  // the tunnel's tangent leaving the exit hole (unit)
  mjtNum tunnel_m;    // thread length inside the tissue
  mjtNum bite_m;      // mean distance of its holes from the wound line
  mjtNum tension_N;   // tension in its tunnel (locked once its throw ended)
  int cut;            // it tore through the edge
  mjtNum gap_pass_m;  // the simulated wound's gap at the stitch when it was passed (measured)
} sfStitch;

// the suture's state over one episode
typedef struct sfSutureState_ {
  int n;  // stitches passed (the needle's tail out of the exit)
  sfStitch st[SF_SUTURE_MAX];
  int pulling;           // the last stitch is being tensioned by its throw
  mjtNum free_m;         // thread between its exit hole and the needle's tail when taut
  mjtNum tension_N;      // thread tension at the needle (what an instrument sensor reads)
  mjtNum force[3];       // the thread's force on the needle at its tail (world, N)
  mjtNum tension_max_N;  // largest tension at the needle so far
  int cut_through;       // cut-through events
  mjtNum trauma_mm2;     // area torn by them
  int measured;          // the wound is simulated (the soft scene's edges): closed_m is how far
  mjtNum closed_m;       //   the edges at the pulled stitch have closed since it was passed,
                         //   set before each step
} sfSutureState;

// forget the thread and wound state (new episode)
void sf_suture_reset(sfSutureState* s);

// closing displacement (m) of one edge at distance x along the wound from a stitch pulling with
// tension_N, for foundation modulus k
mjtNum sf_suture_edge_w(mjtNum tension_N, mjtNum k_N_m2, mjtNum x_m);

// the gap (m) at wound coordinate s_m under the stitches' tensions
mjtNum sf_suture_gap(const sfSutureParams* p, const sfSutureState* s, mjtNum s_m);

// a gap along the wound (m at wound coordinate s_m), from the analytic model or a simulated one
typedef mjtNum (*sfGapFn)(const void* ctx, mjtNum s_m);

// closure over the sutured span: its mean and worst point (0 with no stitch: nothing closed),
// of the analytic gap
void sf_suture_closure(const sfSutureParams* p, const sfSutureState* s, mjtNum* mean,
                       mjtNum* worst);

// the same of any gap (gap(ctx, s_m))
void sf_suture_closure_of(const sfSutureParams* p, const sfSutureState* s, sfGapFn gap,
                          const void* ctx, mjtNum* mean, mjtNum* worst);

// a throw's needle tail left the exit hole: the stitch through (entry, mid, exit) is passed, its
// tunnel of length tunnel_m leaving the exit along out_dir, the thread from its exit to the tail
// at tail; it is tensioned by the pull from now on
void sf_suture_pass(const sfSutureParams* p, sfSutureState* s, const mjtNum entry[3],
                    const mjtNum mid[3], const mjtNum exit[3], const mjtNum out_dir[3],
                    mjtNum tunnel_m, const mjtNum tail[3]);

// the same for a tunnel cut along the circle of radius r about centre c in the plane of normal n
// (the tissue model's tunnel) from entry to exit: its length is the arc between them, its
// deepest point the circle's point towards the chord's midpoint, its exit tangent the circle's
// there, pointing out
void sf_suture_pass_tunnel(const sfSutureParams* p, sfSutureState* s, const mjtNum entry[3],
                           const mjtNum exit[3], const mjtNum c[3], const mjtNum n[3], mjtNum r,
                           const mjtNum tail[3]);

// the needle's tail is at tail: the pulled stitch's tension, the load passed on to earlier
// stitches, cut-through; the force on the needle (zero unless pulling)
void sf_suture_step(const sfSutureParams* p, sfSutureState* s, const mjtNum tail[3]);

// the throw ended: its stitch keeps the tension it has
void sf_suture_lock(sfSutureState* s);

// thread used so far (m): from the knot through every passed stitch to the last exit
mjtNum sf_suture_used(const sfSutureState* s);

// the thread's path as at most SF_THREAD_PTS points: the knot, each passed stitch's holes and
// tunnel, the current throw's entry when its needle is in the tissue (cur_entry; NULL: not),
// the needle's tail; returns the count
int sf_suture_path(const sfSutureState* s, const mjtNum* cur_entry, const mjtNum tail[3],
                   mjtNum pts[][3]);

#endif  // SUTUREFLEET_SIM_SUTURE_H_
