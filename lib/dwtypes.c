// SPDX-License-Identifier: GPL-2.0
/*
 * Reading an object's file-scope types, functions and variables from its
 * DWARF (dwtypes.h).  DWARF 4 and 5 alike: libdw reads both; bit-field
 * offsets come as DW_AT_data_bit_offset (DWARF 5 producers) or as the
 * older DW_AT_bit_offset counted from the storage unit's high end.
 */
#include "dwtypes.h"
#include "log.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Type chains deeper than this are cut short (a malformed cycle). */
#define MAX_CHAIN 64

struct reader {
	struct dw_object *obj;
	size_t cap_types, cap_funcs, cap_vars;
};

/* ---- attributes ----------------------------------------------------------- */

static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute a;

	return dwarf_attr_integrate(die, DW_AT_name, &a) ? dwarf_formstring(&a) : NULL;
}

static bool die_type(Dwarf_Die *die, Dwarf_Die *type)
{
	Dwarf_Attribute a;

	return dwarf_attr_integrate(die, DW_AT_type, &a) && dwarf_formref_die(&a, type);
}

static bool die_flag(Dwarf_Die *die, unsigned int name)
{
	Dwarf_Attribute a;
	bool flag = false;

	return dwarf_attr_integrate(die, name, &a) && dwarf_formflag(&a, &flag) == 0 && flag;
}

static bool die_udata(Dwarf_Die *die, unsigned int name, Dwarf_Word *value)
{
	Dwarf_Attribute a;

	return dwarf_attr_integrate(die, name, &a) && dwarf_formudata(&a, value) == 0;
}

static bool is_aggregate_tag(int tag)
{
	return tag == DW_TAG_structure_type || tag == DW_TAG_union_type ||
	       tag == DW_TAG_class_type;
}

static bool is_qualifier_tag(int tag)
{
	return tag == DW_TAG_const_type || tag == DW_TAG_volatile_type ||
	       tag == DW_TAG_restrict_type || tag == DW_TAG_atomic_type;
}

static const char *aggregate_word(int tag)
{
	return tag == DW_TAG_union_type ? "union" : tag == DW_TAG_class_type ? "class" : "struct";
}

/* A typedef naming an anonymous struct or union defined right there. */
static bool is_anonymous_typedef(Dwarf_Die *td, Dwarf_Die *agg)
{
	return dwarf_tag(td) == DW_TAG_typedef && die_type(td, agg) &&
	       is_aggregate_tag(dwarf_tag(agg)) && !die_name(agg);
}

/* ---- type names ------------------------------------------------------------ */

static char *array_dims(Dwarf_Die *array)
{
	Dwarf_Die sub;
	char *dims = xstrdup("");

	if (dwarf_child(array, &sub) != 0)
		return dims;
	do {
		Dwarf_Word n = 0;
		char *next;

		if (dwarf_tag(&sub) != DW_TAG_subrange_type)
			continue;
		Dwarf_Attribute a;
		Dwarf_Sword upper;

		/* A flexible array has no bound (or, from some producers, -1). */
		if (die_udata(&sub, DW_AT_count, &n))
			next = xasprintf("%s[%llu]", dims, (unsigned long long)n);
		else if (dwarf_attr_integrate(&sub, DW_AT_upper_bound, &a) &&
			 dwarf_formsdata(&a, &upper) == 0 && upper >= 0)
			next = xasprintf("%s[%lld]", dims, (long long)upper + 1);
		else
			next = xasprintf("%s[]", dims);
		free(dims);
		dims = next;
	} while (dwarf_siblingof(&sub, &sub) == 0);
	return dims;
}

/* @die's type as C spells it, enough to tell two member types apart. */
static char *type_name(Dwarf_Die *die, int depth)
{
	Dwarf_Die t;
	char *inner, *s;
	const char *name;

	if (!die_type(die, &t))
		return xstrdup("void");
	if (depth > MAX_CHAIN)
		return xstrdup("...");
	name = die_name(&t);
	switch (dwarf_tag(&t)) {
	case DW_TAG_base_type:
	case DW_TAG_typedef:
		return xstrdup(name ? name : "?");
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_class_type:
	case DW_TAG_enumeration_type:
		return xasprintf("%s %s", dwarf_tag(&t) == DW_TAG_enumeration_type ? "enum" :
				 aggregate_word(dwarf_tag(&t)), name ? name : "<anonymous>");
	case DW_TAG_pointer_type:
		inner = type_name(&t, depth + 1);
		s = xasprintf("%s *", inner);
		break;
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type:
	case DW_TAG_atomic_type: {
		static const char *const words[] = {
			[DW_TAG_const_type] = "const", [DW_TAG_volatile_type] = "volatile",
			[DW_TAG_restrict_type] = "restrict", [DW_TAG_atomic_type] = "_Atomic",
		};
		inner = type_name(&t, depth + 1);
		s = xasprintf("%s %s", words[dwarf_tag(&t)], inner);
		break;
	}
	case DW_TAG_array_type: {
		char *dims = array_dims(&t);

		inner = type_name(&t, depth + 1);
		s = xasprintf("%s %s", inner, dims);
		free(dims);
		break;
	}
	case DW_TAG_subroutine_type:
		return xstrdup("function");
	default:
		return xasprintf("tag 0x%x", (unsigned int)dwarf_tag(&t));
	}
	free(inner);
	return s;
}

/*
 * The key of the type @die's type refers to: through pointers (@through_ptr),
 * arrays, qualifiers and typedefs, down to a named struct or union or a
 * typedef of an anonymous one.  NULL for anything else.
 */
static char *referred_key(Dwarf_Die *die, bool through_ptr)
{
	Dwarf_Die t, agg;
	Dwarf_Die *cur = die;

	for (int depth = 0; depth < MAX_CHAIN && die_type(cur, &t); depth++) {
		int tag = dwarf_tag(&t);
		const char *name = die_name(&t);

		if (is_aggregate_tag(tag))
			return name ? xasprintf("%s %s", aggregate_word(tag), name) : NULL;
		if (tag == DW_TAG_typedef && is_anonymous_typedef(&t, &agg))
			return name ? xstrdup(name) : NULL;
		if (!(tag == DW_TAG_typedef || tag == DW_TAG_array_type || is_qualifier_tag(tag) ||
		      (through_ptr && tag == DW_TAG_pointer_type)))
			return NULL;
		agg = t;
		cur = &agg;
	}
	return NULL;
}

static void add_key(char ***keys, size_t *nr, char *key)
{
	if (!key)
		return;
	for (size_t i = 0; i < *nr; i++) {
		if (!strcmp((*keys)[i], key)) {
			free(key);
			return;
		}
	}
	*keys = xrealloc(*keys, (*nr + 1) * sizeof(**keys));
	(*keys)[(*nr)++] = key;
}

/* ---- members --------------------------------------------------------------- */

static bool member_location(Dwarf_Die *m, Dwarf_Word *bytes)
{
	Dwarf_Attribute a;
	Dwarf_Op *ops;
	size_t nr;

	*bytes = 0;
	if (!dwarf_attr_integrate(m, DW_AT_data_member_location, &a))
		return true;	/* a union's members */
	if (dwarf_formudata(&a, bytes) == 0)
		return true;
	/* DWARF 2 style: an expression adding a constant. */
	if (dwarf_getlocation(&a, &ops, &nr) == 0 && nr == 1 && ops[0].atom == DW_OP_plus_uconst) {
		*bytes = ops[0].number;
		return true;
	}
	return false;
}

static bool member_bits(Dwarf_Die *m, Dwarf_Die *type, uint64_t *offset, uint64_t *size,
			bool *bitfield)
{
	Dwarf_Word loc, bit_size, bit_off, data_bit_off, unit;
	Dwarf_Word bytes;

	if (!member_location(m, &loc))
		return false;
	*offset = loc * 8;
	*bitfield = die_udata(m, DW_AT_bit_size, &bit_size);
	if (*bitfield) {
		*size = bit_size;
		if (die_udata(m, DW_AT_data_bit_offset, &data_bit_off)) {
			*offset += data_bit_off;
		} else if (die_udata(m, DW_AT_bit_offset, &bit_off)) {
			/* Counted from the high end of the storage unit (little endian). */
			if (!die_udata(m, DW_AT_byte_size, &unit) &&
			    dwarf_aggregate_size(type, &unit) != 0)
				return false;
			*offset += unit * 8 - bit_off - bit_size;
		}
		return true;
	}
	*size = dwarf_aggregate_size(type, &bytes) == 0 ? bytes * 8 : 0;
	return true;
}

/* @m's type when it is an anonymous struct or union (flattened), else false. */
static bool anonymous_member_type(Dwarf_Die *m, Dwarf_Die *agg)
{
	Dwarf_Die t;

	if (!die_type(m, &t))
		return false;
	while (is_qualifier_tag(dwarf_tag(&t)))
		if (!die_type(&t, &t))
			return false;
	*agg = t;
	return is_aggregate_tag(dwarf_tag(&t)) && !die_name(&t);
}

static bool read_members(struct dw_type *type, Dwarf_Die *agg, const char *prefix,
			 uint64_t base, int depth, char *err, size_t errlen)
{
	Dwarf_Die m;

	if (depth > MAX_CHAIN || dwarf_child(agg, &m) != 0)
		return true;
	do {
		Dwarf_Die t, inner;
		const char *name;
		uint64_t off, size;
		bool bitfield;
		char *path;

		if (dwarf_tag(&m) != DW_TAG_member)
			continue;
		name = die_name(&m);
		if (!die_type(&m, &t) || !member_bits(&m, &t, &off, &size, &bitfield)) {
			format_error(err, errlen, "%s: member %s%s: no type or location it can read",
				     type->key, prefix, name ? name : "<anonymous>");
			return false;
		}
		path = name ? xasprintf("%s%s", prefix, name) : NULL;
		if (path) {
			struct dw_member *dm;

			type->members = xrealloc(type->members,
						 (type->nr_members + 1) * sizeof(*type->members));
			dm = &type->members[type->nr_members++];
			*dm = (struct dw_member){
				.path = path, .bit_offset = base + off, .bit_size = size,
				.bitfield = bitfield, .type = type_name(&m, 0),
			};
		}
		if (anonymous_member_type(&m, &inner)) {
			char *sub = path ? xasprintf("%s.", path) : xstrdup(prefix);
			bool ok = read_members(type, &inner, sub, base + off, depth + 1, err, errlen);

			free(sub);
			if (!ok)
				return false;
		} else {
			add_key(&type->embeds, &type->nr_embeds, referred_key(&m, false));
		}
	} while (dwarf_siblingof(&m, &m) == 0);
	return true;
}

/* ---- types, functions and variables ------------------------------------------- */

static bool add_type(struct reader *r, Dwarf_Die *agg, char *key, bool anonymous,
		     char *err, size_t errlen)
{
	struct dw_object *obj = r->obj;
	struct dw_type *type;
	Dwarf_Word size;
	int line = 0;
	const char *file;

	if (die_flag(agg, DW_AT_declaration) || dw_find_type(obj, key) ||
	    !die_udata(agg, DW_AT_byte_size, &size)) {
		free(key);
		return true;
	}
	type = xcalloc(1, sizeof(*type));
	type->key = key;
	type->anonymous = anonymous;
	type->size = size;
	file = dwarf_decl_file(agg);
	type->decl_file = file ? xstrdup(file) : NULL;
	if (dwarf_decl_line(agg, &line) == 0 && line > 0)
		type->decl_line = (unsigned int)line;
	if (r->cap_types == obj->nr_types) {
		r->cap_types = r->cap_types ? 2 * r->cap_types : 64;
		obj->types = xrealloc(obj->types, r->cap_types * sizeof(*obj->types));
	}
	type->index = obj->nr_types;
	obj->types[obj->nr_types++] = type;
	htable_add(&obj->type_index, &type->node, hash_str(key));
	return read_members(type, agg, "", 0, 0, err, errlen);
}

static struct dw_user *new_user(struct dw_user ***list, size_t *nr, size_t *cap, const char *name)
{
	struct dw_user *u = xcalloc(1, sizeof(*u));

	u->name = xstrdup(name);
	if (*cap == *nr) {
		*cap = *cap ? 2 * *cap : 64;
		*list = xrealloc(*list, *cap * sizeof(**list));
	}
	(*list)[(*nr)++] = u;
	return u;
}

/* What a function's own declarations and those inlined into it refer to. */
static void collect_uses(struct dw_user *u, Dwarf_Die *die, int depth)
{
	Dwarf_Die c;

	add_key(&u->uses, &u->nr_uses, referred_key(die, true));
	if (depth > MAX_CHAIN || dwarf_child(die, &c) != 0)
		return;
	do {
		switch (dwarf_tag(&c)) {
		case DW_TAG_formal_parameter:
		case DW_TAG_variable:
			add_key(&u->uses, &u->nr_uses, referred_key(&c, true));
			break;
		case DW_TAG_lexical_block:
		case DW_TAG_inlined_subroutine:
			collect_uses(u, &c, depth + 1);
			break;
		default:
			break;
		}
	} while (dwarf_siblingof(&c, &c) == 0);
}

static bool has_code(Dwarf_Die *die)
{
	return dwarf_hasattr(die, DW_AT_low_pc) || dwarf_hasattr(die, DW_AT_ranges);
}

static bool read_top_level(struct reader *r, Dwarf_Die *die, char *err, size_t errlen)
{
	struct dw_object *obj = r->obj;
	Dwarf_Die agg;
	const char *name = die_name(die);
	int tag = dwarf_tag(die);

	if (is_aggregate_tag(tag) && name)
		return add_type(r, die, xasprintf("%s %s", aggregate_word(tag), name), false,
				err, errlen);
	if (tag == DW_TAG_typedef && name && is_anonymous_typedef(die, &agg))
		return add_type(r, &agg, xstrdup(name), true, err, errlen);
	if (tag == DW_TAG_subprogram && name && has_code(die)) {
		collect_uses(new_user(&obj->funcs, &obj->nr_funcs, &r->cap_funcs, name), die, 0);
	} else if (tag == DW_TAG_variable && name && !die_flag(die, DW_AT_declaration) &&
		   !dw_find_var(obj, name)) {
		struct dw_user *v = new_user(&obj->vars, &obj->nr_vars, &r->cap_vars, name);

		add_key(&v->uses, &v->nr_uses, referred_key(die, true));
		htable_add(&obj->var_index, &v->node, hash_str(name));
	}
	return true;
}

static bool read_units(struct reader *r, Dwarf *dw, char *err, size_t errlen)
{
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie, subdie, die;
	Dwarf_Half version;
	uint8_t unit_type;
	size_t nr_units = 0;

	while (dwarf_get_units(dw, cu, &cu, &version, &unit_type, &cudie, &subdie) == 0) {
		nr_units++;
		if (dwarf_child(&cudie, &die) != 0)
			continue;
		do {
			if (!read_top_level(r, &die, err, errlen))
				return false;
		} while (dwarf_siblingof(&die, &die) == 0);
	}
	if (!nr_units) {
		format_error(err, errlen, "no DWARF compile unit (.debug_info): compile it with -g");
		return false;
	}
	return true;
}

static int no_separate_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
				 Dwarf_Addr base, const char *file, const char *debuglink,
				 GElf_Word crc, char **debuginfo_file)
{
	return -1;
}

struct dw_object *dw_read(const char *path, char *err, size_t errlen)
{
	static const Dwfl_Callbacks callbacks = {
		.find_debuginfo = no_separate_debuginfo,
		.section_address = dwfl_offline_section_address,
	};
	struct reader r = { 0 };
	Dwfl *dwfl = dwfl_begin(&callbacks);
	Dwfl_Module *mod;
	Dwarf_Addr bias;
	Dwarf *dw;
	bool ok;

	if (!dwfl) {
		format_error(err, errlen, "%s: libdwfl: %s", path, dwfl_errmsg(-1));
		return NULL;
	}
	mod = dwfl_report_offline(dwfl, path, path, -1);
	if (!mod || dwfl_report_end(dwfl, NULL, NULL) != 0) {
		format_error(err, errlen, "%s: %s", path, dwfl_errmsg(-1));
		dwfl_end(dwfl);
		return NULL;
	}
	dw = dwfl_module_getdwarf(mod, &bias);
	if (!dw) {
		format_error(err, errlen, "%s: no DWARF (.debug_info): compile it with -g (%s)",
			     path, dwfl_errmsg(-1));
		dwfl_end(dwfl);
		return NULL;
	}
	r.obj = xcalloc(1, sizeof(*r.obj));
	r.obj->path = xstrdup(path);
	htable_init(&r.obj->type_index, 1024);
	htable_init(&r.obj->var_index, 256);
	ok = read_units(&r, dw, err, errlen);
	dwfl_end(dwfl);
	if (!ok) {
		char *why = xstrdup(err ? err : "");

		format_error(err, errlen, "%s: %s", path, why);
		free(why);
		dw_free(r.obj);
		return NULL;
	}
	return r.obj;
}

/* ---- lookups and freeing ---------------------------------------------------------- */

const struct dw_type *dw_find_type(const struct dw_object *obj, const char *key)
{
	uint64_t h = hash_str(key);
	struct dw_type *t;

	htable_for_each_match(&obj->type_index, t, struct dw_type, node, h)
		if (!strcmp(t->key, key))
			return t;
	return NULL;
}

const struct dw_user *dw_find_var(const struct dw_object *obj, const char *name)
{
	uint64_t h = hash_str(name);
	struct dw_user *v;

	htable_for_each_match(&obj->var_index, v, struct dw_user, node, h)
		if (!strcmp(v->name, name))
			return v;
	return NULL;
}

static void free_keys(char **keys, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(keys[i]);
	free(keys);
}

static void free_users(struct dw_user **users, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(users[i]->name);
		free_keys(users[i]->uses, users[i]->nr_uses);
		free(users[i]);
	}
	free(users);
}

void dw_free(struct dw_object *obj)
{
	if (!obj)
		return;
	for (size_t i = 0; i < obj->nr_types; i++) {
		struct dw_type *t = obj->types[i];

		for (size_t j = 0; j < t->nr_members; j++) {
			free(t->members[j].path);
			free(t->members[j].type);
		}
		free(t->members);
		free_keys(t->embeds, t->nr_embeds);
		free(t->key);
		free(t->decl_file);
		free(t);
	}
	free(obj->types);
	free_users(obj->funcs, obj->nr_funcs);
	free_users(obj->vars, obj->nr_vars);
	htable_free(&obj->type_index);
	htable_free(&obj->var_index);
	free(obj->path);
	free(obj);
}
