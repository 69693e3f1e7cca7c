// controller.h: controllers behind the plug-in ABI: the built-ins, the plug-in loader and the
// services the host offers them.
//
// Every controller, built-in or plug-in, is an sfcController table (include/suturefleet/
// controller.h); sf_controller_open resolves a name or a shared-object path to a checked,
// loaded controller, and the episode drives it through that table only.
#ifndef SUTUREFLEET_SIM_CONTROLLER_H_
#define SUTUREFLEET_SIM_CONTROLLER_H_

#include <stdint.h>

#include <mujoco/mujoco.h>
#include <suturefleet/controller.h>

#include "ik.h"
#include "scene.h"
#include "skill.h"

// a skill vector fits the ABI's parameter arrays and the store's theta columns alike
_Static_assert(SF_MAX_THETA == SFC_MAX_PARAMS, "SF_MAX_THETA must equal SFC_MAX_PARAMS");
#include "plugin.h"
#include "status.h"

// a loaded, checked controller
typedef struct sfController_ {
  const sfcController* api;  // its table (built-in, or the plug-in's)
  sfSkillDef skill;          // its skill vector
  char name[SFC_NAME_MAX + 1];
  int arms;       // the arms it drives (1 or 2; sf_controller_arms)
  sfPlugin file;  // the plug-in file it came from (path "" and hash SF_BUILTIN_HASH: a built-in)
} sfController;

// the host side of one worker's controller: the services of sfcHost and their scratch
typedef struct sfHost_ {
  sfcHost pub;       // what the controller sees (pub.ctx points back here)
  const sfScene* s;  // the scene
  sfIk ik;           // IK scratch
  mjData* scratch;   // kinematics-only data for ik_solve (never stepped)
} sfHost;

// built-in controllers: how many, and the i-th table
int sf_controller_builtin_count(void);
const sfcController* sf_controller_builtin(int i);

// open the controller spec names (a built-in's name or a plug-in path) into c and check its
// table; SF_ERR_INPUT naming the spec and the problem (unknown name, missing file, not a shared
// object, no entry symbol, unknown ABI version, missing required function, bad skill values),
// with nothing left open. A plug-in file is opened once; it is hashed through that descriptor
// and loaded from it (dlopen of /proc/self/fd/N), so the bytes hashed are the bytes loaded even
// if its path is replaced meanwhile; without /proc it is loaded by its path (documented in
// README: a file swapped between the hash and the load would go unnoticed)
sftStatus sf_controller_open(const char* spec, sfController* c, sfError* e);

// sf_controller_open, with the hash the controller must have: expected NULL for none, else a
// plug-in file's hash must equal it before the file is loaded (nothing of it runs otherwise)
// and a built-in matches only SF_BUILTIN_HASH; origin names where the expectation comes from
// ("store 'x.h5'"); a mismatch is SF_ERR_INPUT naming the file, its hash and the expected one,
// with nothing loaded
sftStatus sf_controller_open_expect(const char* spec, const char* expected, const char* origin,
                                    sfController* c, sfError* e);

// open the controller a store was written with, never loading a file the store names: given
// (NULL: none) is what the user named (--controller); stored_spec, name and hash are the store's
// configured controller, its name and its controller_hash; store names the store. A built-in
// store opens its built-in by name (or given, which must then be that built-in); a plug-in store
// (a path in its configuration, or a hash other than SF_BUILTIN_HASH) needs given, whose file
// hash must equal the store's before it is loaded. SF_ERR_INPUT, nothing loaded: a plug-in store
// without given (the message says to pass --controller PATH), or a controller other than the
// store's
sftStatus sf_controller_open_stored(const char* given, const char* stored_spec, const char* name,
                                    const char* hash, const char* store, sfController* c,
                                    sfError* e);

// check table t (who names it in messages) and make it the controller c, not loaded from a file
// (hash SF_BUILTIN_HASH); SF_ERR_INPUT naming who and the problem, c zeroed
sftStatus sf_controller_use(const sfcController* t, const char* who, sfController* c, sfError* e);

// the arms table t drives: 2 for a version-3 table with arms 2, else 1
int sf_controller_arms(const sfcController* t);

// check that controller c can do a task of stitches throws in scene s: the scene has pairs
// enough, and a multi-throw task in a two-arm scene, whose needle goes from arm to arm, has a
// controller that drives both; SF_ERR_INPUT naming the model or the controller and what it needs
sftStatus sf_task_check(const sfScene* s, const sfController* c, int stitches, sfError* e);

// unload c (accepts a zeroed or closed controller)
void sf_controller_close(sfController* c);

// make the host services for scene s (h is filled in place; its address must stay fixed while
// a controller uses it); SF_ERR_RUN on allocation failure with nothing left allocated
sftStatus sf_host_make(sfHost* h, const sfScene* s, sfError* e);

// release host scratch (accepts a zeroed or freed host)
void sf_host_free(sfHost* h);

// the built-in scripted-arc controller's table (scripted_arc.c)
const sfcController* sf_scripted_arc(void);

#endif  // SUTUREFLEET_SIM_CONTROLLER_H_
