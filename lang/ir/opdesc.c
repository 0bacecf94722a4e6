/* The op table's SIG and ATTRS strings parsed once into structured
 * descriptors, so the reader, printer, verifier and tracer read fields
 * instead of each re-parsing the strings. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "lang/ir/ir.h"

static ptk_op_desc descs[PTK_OP__COUNT];
static pthread_once_t descs_once = PTHREAD_ONCE_INIT;

static ptk_dtype int_type_named(const char *s) {
  for (int i = 0; i < PTK_DT__COUNT; i++)
    if (!strcmp(ptk_dtype_name((ptk_dtype)i), s) && ptk_dtype_is_int((ptk_dtype)i)) return (ptk_dtype)i;
  return PTK_DT__COUNT;
}

static void parse_sig(const char *s, ptk_op_desc *d) {
  uint8_t group = 0;
  bool result = false;
  if (*s) d->ngroups = 1;
  for (; *s; s++) {
    if (*s == ':') {
      group++;
      d->ngroups++;
    } else if (*s == '>') {
      result = true;
      d->has_results = true;
    } else if (*s == '?' || *s == '*') {
      if (d->nsig) d->sig[d->nsig - 1].quant = *s;
    } else if (d->nsig < PTK_OPD_MAX_SIG) {
      d->sig[d->nsig++] = (ptk_sig_item){*s, 0, group, result};
    }
  }
}

static void parse_attrs(const char *s, ptk_op_desc *d) {
  while (*s && d->nattrs < PTK_OPD_MAX_ATTRS) {
    size_t len = strcspn(s, ",");
    const char *p = s, *e = s + len;
    ptk_attr_desc *a = &d->attrs[d->nattrs++];
    a->int_dt = PTK_DT__COUNT;
    if (*p == '!') {
      a->required = true;
      d->any_required = true;
      p++;
    }
    const char *colon = memchr(p, ':', (size_t)(e - p));
    snprintf(a->name, sizeof a->name, "%.*s", (int)((colon ? colon : e) - p), p);
    if (colon) {
      const char *q = colon + 1;
      if (*q == '#') {
        a->full = true;
        q++;
      }
      snprintf(a->kind, sizeof a->kind, "%.*s", (int)(e - q), q);
      a->int_dt = int_type_named(a->kind);
      if (a->int_dt == PTK_DT__COUNT) memcpy(a->enum_mn, a->kind, sizeof a->enum_mn);
    }
    s = *e ? e + 1 : e;
  }
}

static void init_descs(void) {
  for (int k = 0; k < PTK_OP__COUNT; k++) {
    parse_sig(ptk_op_table[k].sig, &descs[k]);
    parse_attrs(ptk_op_table[k].attrs, &descs[k]);
  }
}

const ptk_op_desc *ptk_op_desc_of(ptk_op_kind k) {
  pthread_once(&descs_once, init_descs);
  return &descs[k];
}
