/* Nesting limits shared by every stage.
 *
 * PTK_MAX_NEST bounds how deeply IR regions nest: a function body is level 1
 * and every region of an op inside it (scf.for / scf.if / scf.while bodies,
 * nested modules …) adds one. The producers of IR enforce it with one
 * located error — the tracer (a runtime `if`/`else if` arm, `for` or `while`
 * that would go deeper) and the .pto reader ("regions nested too deeply") —
 * so every later stage (printer, verifier, passes, interpreter compile, C
 * emitter, IR walks) sees at most PTK_MAX_NEST levels, and the printed text
 * of any IR ptk accepts reads back (the reader's bracket limit
 * PTK_MAX_BRACKETS leaves room for the brackets of one op line on top of
 * the region braces).
 *
 * These stages recurse once per level; the limit is chosen so that the
 * deepest accepted IR runs every stage within a 8 MiB stack even in the
 * sanitizer build (tests/lit/trace/deep_nesting*.ptk, tests/unit
 * deep_nesting tests measure it). Raising it means measuring again.
 */
#ifndef PTK_LANG_LIMITS_H
#define PTK_LANG_LIMITS_H

#define PTK_MAX_NEST 1000
#define PTK_MAX_BRACKETS (PTK_MAX_NEST + 256)

#endif
