// suturefleet/controller.h: the controller plug-in ABI of suturefleet (version 3).
//
// A controller plug-in is a shared object exporting one C function, named by SFC_ENTRY:
//
//   const sfcController* suturefleet_controller_entry(void);
//
// It returns a table (sfcController) that starts with the ABI version and the table's own size,
// then names the controller, describes its skill vector theta (the values the fleet learns) and
// points to its functions. suturefleet loads the file with dlopen(RTLD_NOW | RTLD_LOCAL), checks
// the table before any episode runs and refuses, with exit code 2, a table it cannot trust.
//
// Threads: suturefleet calls create once per worker thread, then reset and step on that thread
// only; one state is never used by two threads at once. The model and data passed in are
// read-only to the controller; it writes only its controls.
//
// Compatibility: fields are only ever appended. A table of an older version is accepted as long
// as the version is known; size tells which appended fields exist. Version 2 appended the
// thread to the observation (sfcObs.thread_tension_N and after): a version-1 plug-in gets the
// same observation and simply does not read them, and runs as before (it does not tension the
// thread, so its stitches stay loose unless its own motion pulls them). Version 3 appended the
// second arm of a two-arm scene: its observation (sfcObs.narm and after), host services for
// either arm (sfcHost.narm and after) and the table's arms, the arms a controller drives. A
// controller that drives one arm (any version-1 or -2 table) runs one-throw tasks in any scene,
// the second arm parked by suturefleet (home, withdrawn 20 mm along its shaft); a multi-throw
// task in a two-arm scene needs the needle handed between the arms, and is refused for it before
// any episode runs. In a two-arm scene an episode whose two instruments intersect ends there, a
// failure: a controller that drives both keeps them apart.
//
// This header is the only one a plug-in needs (besides MuJoCo's); examples/ has a template.
#ifndef SUTUREFLEET_CONTROLLER_H_
#define SUTUREFLEET_CONTROLLER_H_

#include <stdint.h>

#include <mujoco/mujoco.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SFC_ABI_VERSION 3                         // the version this header describes
#define SFC_ENTRY "suturefleet_controller_entry"  // the entry symbol's name
#define SFC_MAX_PARAMS 16                         // most skill values a controller may have
#define SFC_NAME_MAX 31                           // longest controller name (characters)
#define SFC_NJOINT \
  6                  // arm joints: yaw, pitch, insertion, roll,
                     //   wrist pitch, wrist yaw
#define SFC_NAXIS 7  // the joints and the jaw opening

// marks the entry function of a plug-in: SFC_EXPORT const sfcController* ... (void)
#define SFC_EXPORT __attribute__((visibility("default")))

// the arm's axes in actuator order (indices into sfcArm.act and the q arrays below)
enum {
  SFC_AXIS_YAW = 0,      // outer yaw (rad), a hinge at the remote centre of motion
  SFC_AXIS_PITCH,        // outer pitch (rad), a hinge at the remote centre of motion
  SFC_AXIS_INSERTION,    // insertion along the shaft (m)
  SFC_AXIS_ROLL,         // tool roll (rad)
  SFC_AXIS_WRIST_PITCH,  // wrist pitch (rad)
  SFC_AXIS_WRIST_YAW,    // wrist yaw (rad)
  SFC_AXIS_JAW           // jaw opening angle (rad): above SFC_JAW_RELEASE_RAD the needle is
                         //   let go; jaws closing below 0.12 around the needle grasp it
};

// jaw opening (rad) above which the needle is let go (SFC_AXIS_JAW)
#define SFC_JAW_RELEASE_RAD 0.35

// what a step returns (any other value is a controller fault: the episode ends there)
enum {
  SFC_RUN = 0,         // keep going
  SFC_THROW_DONE = 1,  // this throw is finished: the needle is pulled through and held
  SFC_GIVE_UP = 2      // the controller cannot go on; the episode ends
};

// one skill value: its meaning, bounds and starting points (all finite)
typedef struct sfcParam_ {
  const char* name;   // required: letters, digits and '_', unique within the controller
  const char* unit;   // optional (NULL: none), e.g. "deg", "mm", "N/m"
  const char* doc;    // optional: one line
  double lo, hi;      // bounds, lo < hi; theta always lies within them
  double ref;         // the reference ("hand-tuned") value, in [lo, hi]: eval --skill reference
  double prior_mean;  // where fleet learning starts, in [lo, hi]
  double prior_sd;    // the uncertainty of that start (> 0)
} sfcParam;

// the arm a controller drives: indices into the model (all valid for the model given)
typedef struct sfcArm_ {
  int jnt[SFC_NJOINT];   // joint id of each joint axis (m->jnt_range: its limits)
  int qadr[SFC_NJOINT];  // qpos address of each joint axis
  int dadr[SFC_NJOINT];  // dof address of each joint axis
  int act[SFC_NAXIS];    // actuator index of each axis
  int tcp_site;          // the tool centre point site, between the jaws
} sfcArm;

// what the controller sees each step; positions in metres, world frame, as the robot believes
// them (the hole positions carry the robot's calibration error); quaternions are w, x, y, z
typedef struct sfcObs_ {
  double time_s;               // time since the episode started
  int throw_index;             // current throw, 0 .. nthrow-1 (a new index: a new throw starts;
                               //   in a one-arm scene the needle is back in the jaws, put there
                               //   by suturefleet; in a two-arm scene it is where the arms left it)
  int nthrow;                  // throws in the episode
  double entry[3];             // the current throw's entry hole
  double exit[3];              // the current throw's exit hole
  double normal[3];            // the tissue surface normal (unit, pointing out of the tissue)
  double tcp_pos[3];           // the tool centre point
  double tcp_quat[4];          //   and its orientation
  double needle_pos[3];        // the needle frame: origin at the arc's centre, the arc in its x-y
  double needle_quat[4];       //   plane from the tail (r, 0, 0) to the tip (-r, 0, 0); turning
                               //   about +z drives the needle tip first
  double needle_radius_m;      // the needle's arc radius
  int grasped;                 // the jaws hold the needle
  int engaged;                 // the needle is in the tissue
  double q[SFC_NAXIS];         // measured axis positions (rad or m)
  double tissue_force_N[3];    // force of the tissue on the needle (world; zero outside it):
  double tissue_torque_Nm[3];  //   what a wrist force sensor reads while the needle is held;
                               //   torque about the needle frame's origin
  // version 2: the suture thread, fixed to the needle's tail
  double thread_tension_N;  // tension of the thread at the needle (N): what a force sensor in the
                            //   instrument reads; zero while the thread is slack
  double thread_dir[3];     // direction of the thread's pull on the needle (unit; zero when slack)
  int stitches_passed;      // stitches the thread runs through (the needle's tail left their exit)
  // version 3: the arms (the fields above describe the first, psm1)
  int narm;            // arms in the scene: 1, or 2 (psm2, through a port at the wound's other end)
  int holder;          // the arm whose jaws the needle follows: 0, 1, or -1 (none holds it)
  double tcp2_pos[3];  // the second arm's tool centre point (zero when narm is 1)
  double tcp2_quat[4];   //   and its orientation
  double q2[SFC_NAXIS];  //   and its measured axis positions
  int grasped2;          //   its jaws hold the needle
} sfcObs;

// services suturefleet offers a controller (valid from create until destroy); every function
// takes the host's ctx first and is safe to call from the controller's own thread
typedef struct sfcHost_ {
  uint32_t abi_version;     // SFC_ABI_VERSION of the host
  uint32_t size;            // sizeof(sfcHost) of the host
  const mjModel* m;         // the model (read-only)
  sfcArm arm;               // the arm in it
  double control_period_s;  // time between two step calls (s): 0.002 (500 Hz)
  void* ctx;                // the host's per-worker context: pass it back to the functions below

  // controls (nu) that hold the axes at q_ref (SFC_NAXIS; clamped to the actuator ranges)
  // with the current gravity and Coriolis forces cancelled: the usual way to command the arm
  void (*servo)(void* ctx, const mjData* d, const double q_ref[SFC_NAXIS], mjtNum* ctrl);

  // one damped-least-squares step of the joints (dq, SFC_NJOINT) moving the tool centre point
  // of d towards the pose (pos, quat); needs d's kinematics (as passed to step)
  void (*ik_step)(void* ctx, const mjData* d, const double pos[3], const double quat[4],
                  double dq[SFC_NJOINT]);

  // solve for joints (q, SFC_NJOINT, within the joint ranges) that put the tool centre point at
  // (pos, quat), starting from q_seed; uses the host's scratch data (d is not touched); at most
  // 80 damped least squares iterations, stopping within 0.01 mm and 1 mrad; returns the
  // remaining position error (m) and writes the orientation error (rad) to *rot_err
  double (*ik_solve)(void* ctx, const double q_seed[SFC_NJOINT], const double pos[3],
                     const double quat[4], double q[SFC_NJOINT], double* rot_err);

  // the tool centre point pose (tcp_pos, tcp_quat) that holds the needle at (needle_pos,
  // needle_quat) grasped at arc angle a (rad from the tail at 0 to the tip at pi), the jaws on
  // side +1 or -1 of the needle plane
  void (*grasp_tcp)(void* ctx, double a, int side, const double needle_pos[3],
                    const double needle_quat[4], double tcp_pos[3], double tcp_quat[4]);

  // version 3: the arms, and servo, ik_step and ik_solve for either (arm 0: the one above,
  // 1: the second); servo_arm writes that arm's controls only
  int narm;     // arms in the scene (1 or 2)
  sfcArm arm2;  // the second arm (narm 2; all -1 otherwise)
  void (*servo_arm)(void* ctx, int arm, const mjData* d, const double q_ref[SFC_NAXIS],
                    mjtNum* ctrl);
  void (*ik_step_arm)(void* ctx, int arm, const mjData* d, const double pos[3],
                      const double quat[4], double dq[SFC_NJOINT]);
  double (*ik_solve_arm)(void* ctx, int arm, const double q_seed[SFC_NJOINT], const double pos[3],
                         const double quat[4], double q[SFC_NJOINT], double* rot_err);

  // grasp_tcp from either face of the needle's plane: face +1 is grasp_tcp's (the tool axis
  // along the needle frame's -z, as the first arm holds it), face -1 the other (the tool turned
  // half a turn about the needle's wire: an arm on the other side of the needle reaches it so)
  void (*grasp_tcp_face)(void* ctx, double a, int side, int face, const double needle_pos[3],
                         const double needle_quat[4], double tcp_pos[3], double tcp_quat[4]);
} sfcHost;

// a controller: version, size, name, skill vector, functions
typedef struct sfcController_ {
  uint32_t abi_version;     // required: SFC_ABI_VERSION (1 and 2 are still accepted)
  uint32_t size;            // required: sizeof(sfcController)
  const char* name;         // required: 1 .. SFC_NAME_MAX of letters, digits, '-', '_'
  const char* description;  // optional: one line

  int nparam;              // required: skill values, 1 .. SFC_MAX_PARAMS
  const sfcParam* param;   // required: nparam entries
  int has_aim;             // optional: 1 when aim[] names the values that shift the aimed
  int aim[3];              //   entry point (mm) along the wound, across it, along the normal:
                           //   the fleet then learns each robot's calibration offset in them
  double aim_z_per_chord;  // optional: height shift (mm) per mm of chord error (0: none)

  // required: make per-robot state for host's model (NULL on failure: the run stops, exit 1)
  void* (*create)(const sfcHost* host);

  // required: an episode starts (throw 0); theta (nparam values) is its skill
  void (*reset)(void* state, const mjModel* m, const mjData* d, const sfcObs* obs,
                const double* theta);

  // required: write the controls (m->nu) for this step, at 500 Hz; d holds the current
  // kinematics and bias forces. Controls must be finite and within the actuator ranges
  // (m->actuator_ctrlrange): a non-finite control ends the episode, an out-of-range one is
  // clamped to its range; either marks the episode a controller fault (never a success).
  // Returns SFC_RUN, SFC_THROW_DONE or SFC_GIVE_UP; any other value is a controller fault too:
  // the episode ends at that step, with the controls of that call unused.
  int (*step)(void* state, const mjModel* m, const mjData* d, const sfcObs* obs, mjtNum* ctrl);

  // optional: release the state (NULL: nothing to release)
  void (*destroy)(void* state);

  // version 3: the arms it drives: 1 (0 counts as 1: the first arm only; suturefleet holds a
  // second one parked), or 2: in a two-arm scene it writes both arms' controls and hands the
  // needle between them (it must still drive a one-arm scene with the first arm alone)
  int arms;
} sfcController;

// the entry point every plug-in defines (and suturefleet looks up by the name SFC_ENTRY)
typedef const sfcController* (*sfcEntryFn)(void);
SFC_EXPORT const sfcController* suturefleet_controller_entry(void);

#ifdef __cplusplus
}
#endif

#endif  // SUTUREFLEET_CONTROLLER_H_
