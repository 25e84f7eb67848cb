/*
 * The GSSAPI functions that libgit2's Negotiate authentication calls, for
 * a binary that links libgit2 statically (see meson.build).  libgssapi_krb5
 * has no static archive, and linking it would map it and the Kerberos
 * libraries under it at every start of irt; these functions open it when
 * a server first asks for Negotiate, and call its own.  Without it they
 * return GSS_S_UNAVAILABLE, as a GSSAPI with no usable mechanism would.
 * The static irt opens no library (IRT_STATIC): there they always do,
 * and the status reads as a message that says why.
 */
#include <stdlib.h>
#include <string.h>

#include <gssapi/gssapi.h>

#include "config.h"
#include "util/internal.h"

static struct {
	__typeof__(gss_delete_sec_context) *delete_sec_context;
	__typeof__(gss_display_status) *display_status;
	__typeof__(gss_import_name) *import_name;
	__typeof__(gss_indicate_mechs) *indicate_mechs;
	__typeof__(gss_init_sec_context) *init_sec_context;
	__typeof__(gss_release_buffer) *release_buffer;
	__typeof__(gss_release_name) *release_name;
	__typeof__(gss_release_oid_set) *release_oid_set;
} gssl;

static const struct irt_dl_sym gssl_syms[] = {
	{ "gss_delete_sec_context", (void **)&gssl.delete_sec_context },
	{ "gss_display_status", (void **)&gssl.display_status },
	{ "gss_import_name", (void **)&gssl.import_name },
	{ "gss_indicate_mechs", (void **)&gssl.indicate_mechs },
	{ "gss_init_sec_context", (void **)&gssl.init_sec_context },
	{ "gss_release_buffer", (void **)&gssl.release_buffer },
	{ "gss_release_name", (void **)&gssl.release_name },
	{ "gss_release_oid_set", (void **)&gssl.release_oid_set },
	{ NULL, NULL },
};

static struct irt_dl gssl_dl = { "libgssapi_krb5.so.2",
	"Negotiate authentication", gssl_syms, NULL };

/*
 * The name type of "service@host" names (RFC 2743, 4.1): OID
 * 1.2.840.113554.1.2.1.4.  GSSAPI compares OIDs by value, so this copy
 * stands for the library's.
 */
static unsigned char hostbased_oid[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12,
	0x01, 0x02, 0x01, 0x04 };
static gss_OID_desc hostbased = { sizeof hostbased_oid, hostbased_oid };
gss_OID GSS_C_NT_HOSTBASED_SERVICE = &hostbased;

#define UNAVAILABLE_STATIC                                                     \
	"HTTP Negotiate authentication is not available in a static irt"

/* Opens the library; 0, or GSS_S_UNAVAILABLE with no minor status. */
static OM_uint32
load(OM_uint32 *minor)
{
	if (!IRT_STATIC && irt_dl_load(&gssl_dl) == 0)
		return 0;
	if (minor != NULL)
		*minor = 0;
	return GSS_S_UNAVAILABLE;
}

OM_uint32 KRB5_CALLCONV
gss_delete_sec_context(OM_uint32 *minor, gss_ctx_id_t *ctx, gss_buffer_t output)
{
	OM_uint32 rc = load(minor);

	return rc ? rc : gssl.delete_sec_context(minor, ctx, output);
}

OM_uint32 KRB5_CALLCONV
gss_display_status(OM_uint32 *minor, OM_uint32 status, int type, gss_OID mech,
    OM_uint32 *msg_ctx, gss_buffer_t msg)
{
	OM_uint32 rc = load(minor);

	if (IRT_STATIC && msg != NULL) {
		/* libgit2 puts it in its error: "could not query
		 * mechanisms: <this> (851968.0)" */
		if ((msg->value = strdup(UNAVAILABLE_STATIC)) == NULL)
			return GSS_S_FAILURE;
		msg->length = strlen(UNAVAILABLE_STATIC);
		if (msg_ctx != NULL)
			*msg_ctx = 0;
		return GSS_S_COMPLETE;
	}
	return rc
	    ? rc
	    : gssl.display_status(minor, status, type, mech, msg_ctx, msg);
}

OM_uint32 KRB5_CALLCONV
gss_import_name(
    OM_uint32 *minor, gss_buffer_t name, gss_OID type, gss_name_t *out)
{
	OM_uint32 rc = load(minor);

	return rc ? rc : gssl.import_name(minor, name, type, out);
}

OM_uint32 KRB5_CALLCONV
gss_indicate_mechs(OM_uint32 *minor, gss_OID_set *mechs)
{
	OM_uint32 rc = load(minor);

	return rc ? rc : gssl.indicate_mechs(minor, mechs);
}

OM_uint32 KRB5_CALLCONV
gss_init_sec_context(OM_uint32 *minor, gss_cred_id_t cred, gss_ctx_id_t *ctx,
    gss_name_t target, gss_OID mech, OM_uint32 flags, OM_uint32 time_req,
    gss_channel_bindings_t bindings, gss_buffer_t input, gss_OID *actual_mech,
    gss_buffer_t output, OM_uint32 *ret_flags, OM_uint32 *time_rec)
{
	OM_uint32 rc = load(minor);

	return rc ? rc
	          : gssl.init_sec_context(minor, cred, ctx, target, mech, flags,
	                time_req, bindings, input, actual_mech, output,
	                ret_flags, time_rec);
}

OM_uint32 KRB5_CALLCONV
gss_release_buffer(OM_uint32 *minor, gss_buffer_t buf)
{
	OM_uint32 rc = load(minor);

	if (IRT_STATIC && buf != NULL) {
		/* only gss_display_status above fills one */
		free(buf->value);
		buf->value = NULL;
		buf->length = 0;
		return GSS_S_COMPLETE;
	}
	return rc ? rc : gssl.release_buffer(minor, buf);
}

OM_uint32 KRB5_CALLCONV
gss_release_name(OM_uint32 *minor, gss_name_t *name)
{
	OM_uint32 rc = load(minor);

	return rc ? rc : gssl.release_name(minor, name);
}

OM_uint32 KRB5_CALLCONV
gss_release_oid_set(OM_uint32 *minor, gss_OID_set *set)
{
	OM_uint32 rc = load(minor);

	return rc ? rc : gssl.release_oid_set(minor, set);
}
