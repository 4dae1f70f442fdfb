/*
 * Where the control CLI keeps what a card's risk officer needs between
 * commands: the audit log, the limit file last loaded (its ceilings bound
 * every later change; its values tell "config" from "live"), and the lock
 * that makes read-modify-write of the limits one step.
 *
 * Directory: $TICKGATE_STATE_DIR, else $XDG_STATE_HOME/tickgate, else
 * ~/.local/state/tickgate. Files are named after the card URI ("sim:demo"
 * -> "sim-demo.audit.jsonl", "sim-demo.limits.yaml", "sim-demo.lock").
 */
#ifndef TG_CONTROL_STATE_H
#define TG_CONTROL_STATE_H

#include <stddef.h>

/* Path of the card's file with this suffix; creates the directory (0700).
 * false with a message on stderr when there is no usable directory. */
bool control_path(const char *card_uri, const char *suffix, char *out, size_t len);

/* Take the card's control lock (blocking); -1 with a message on failure. */
int control_lock(const char *card_uri);
void control_unlock(int fd);

#endif
