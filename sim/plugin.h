// plugin.h: loading a plug-in shared object (a controller's or a learner's) safely.
//
// A plug-in file is opened once: it must be a regular file; its hash (FNV-1a 64) is computed
// through that descriptor and compared with an expected hash (a store's) before anything of it
// runs; the same open file is then loaded through /proc/self/fd with dlopen(RTLD_NOW |
// RTLD_LOCAL), so the bytes hashed are the bytes loaded even if its path is replaced meanwhile
// (without /proc it is loaded by its path: a file swapped between the hash and the load would
// go unnoticed). Unresolved symbols fail at load time and a plug-in's symbols never mix with
// another's. The caller checks the table the entry symbol returns.
#ifndef SUTUREFLEET_SIM_PLUGIN_H_
#define SUTUREFLEET_SIM_PLUGIN_H_

#include <stddef.h>

#include "status.h"

#define SF_BUILTIN_HASH "built-in"  // hash recorded for a built-in (a table, not a file)

// what kind of plug-in is loaded, for messages and the entry symbol
typedef struct sfPluginKind_ {
  const char* kind;    // "controller", "learner"
  const char* header;  // the ABI header, e.g. "include/suturefleet/controller.h"
  const char* entry;   // the entry symbol's name
  const char* proto;   // its declaration, e.g. "SFC_EXPORT const sfcController* %s(void)"
} sfPluginKind;

// a plug-in file, loaded
typedef struct sfPlugin_ {
  char path[4096];  // the file, absolute once loaded ("" for a built-in)
  char hash[24];    // FNV-1a 64 of the file in hex, or SF_BUILTIN_HASH
  void* dl;         // dlopen handle (NULL for a built-in)
  int fd;           // with dl: the descriptor the file was hashed and loaded through (kept open
                    //   while loaded, so its /proc/self/fd name names no other file; -1 when
                    //   /proc was unavailable and the file was loaded by its path)
} sfPlugin;

// a spec names a plug-in file (it contains '/' or ends in ".so") rather than a built-in
int sf_plugin_is_path(const char* spec);

// a name of letters, digits and the characters in extra, 1 .. max long
int sf_plugin_name_ok(const char* s, const char* extra, size_t max);

// p as a built-in: no file, hash SF_BUILTIN_HASH
void sf_plugin_builtin(sfPlugin* p);

// load the plug-in file path (kind k) into p and return its entry function's result in *table:
// the file opened once, hashed, checked against expected (NULL: no expectation; origin names
// where it comes from, "store 'x.h5'") before it is loaded, loaded, its entry symbol called.
// SF_ERR_INPUT naming the file and the problem (missing, not a regular file, unreadable, another
// hash, not a shared object, no entry symbol, the entry returned NULL) with nothing left open
sftStatus sf_plugin_load(sfPlugin* p, const sfPluginKind* k, const char* path, const char* expected,
                         const char* origin, const void** table, sfError* e);

// which spec to open for a store written with the plug-in or built-in (stored_spec, name, hash):
// a built-in store opens given (NULL: none) or else its built-in by name (never a path: a
// store's word loads no file); a plug-in store (a path stored, or a hash other than
// SF_BUILTIN_HASH) opens only given, which the caller checks against the store's hash before it
// is loaded. *spec is set, origin (size n) becomes "store 'STORE'"; SF_ERR_INPUT for a plug-in
// store without given, saying to pass OPTION PATH
sftStatus sf_plugin_stored_spec(const sfPluginKind* k, const char* option, const char* given,
                                const char* stored_spec, const char* name, const char* hash,
                                const char* store, char* origin, size_t n, const char** spec,
                                sfError* e);

// the index of the built-in named spec among names (n), which must match expected (NULL: no
// expectation; a built-in matches only SF_BUILTIN_HASH; origin names where it comes from); -1
// with SF_ERR_INPUT naming the spec when there is no such built-in (the message gives option and
// choices, e.g. "--learner", "elite, cmaes or cem") or the expectation is a plug-in's hash
int sf_plugin_builtin_index(const sfPluginKind* k, const char* option, const char* const* names,
                            int n, const char* spec, const char* expected, const char* origin,
                            const char* choices, sfError* e);

// unload p (accepts a zeroed, built-in or closed plug-in); p is left as a built-in's
void sf_plugin_close(sfPlugin* p);

#endif  // SUTUREFLEET_SIM_PLUGIN_H_
