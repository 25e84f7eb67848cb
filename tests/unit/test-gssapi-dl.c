#include "config.h"
#include "unit.h"

#ifdef IRT_GSSAPI_DL
#include <gssapi/gssapi.h>

/* The functions of lib/gssapi-dl.c reach libgssapi_krb5's own. */
static void
test_mechs_from_the_library(void **state)
{
	static const unsigned char krb5_oid[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7,
		0x12, 0x01, 0x02, 0x02 };
	OM_uint32 minor;
	gss_OID_set mechs = GSS_C_NO_OID_SET;
	size_t i;
	int found = 0;

	(void)state;
	assert_int_equal(gss_indicate_mechs(&minor, &mechs), GSS_S_COMPLETE);
	assert_non_null(mechs);
	for (i = 0; i < mechs->count; i++)
		if (mechs->elements[i].length == sizeof krb5_oid &&
		    memcmp(mechs->elements[i].elements, krb5_oid,
		        sizeof krb5_oid) == 0)
			found = 1;
	assert_true(found);
	assert_int_equal(gss_release_oid_set(&minor, &mechs), GSS_S_COMPLETE);
}

/*
 * The library takes irt's copy of the host-based service name type: with
 * no Kerberos ticket at hand, a context for such a name fails for want of
 * credentials, not for the type of the name.
 */
static void
test_hostbased_service_name(void **state)
{
	static unsigned char krb5_oid[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12,
		0x01, 0x02, 0x02 };
	gss_OID_desc krb5 = { sizeof krb5_oid, krb5_oid };
	char host[] = "HTTP@git.example.org";
	gss_buffer_desc in = { sizeof host - 1, host }, out = { 0, NULL };
	gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
	gss_name_t name = GSS_C_NO_NAME;
	OM_uint32 major, minor;

	(void)state;
	setenv("KRB5_CONFIG", "/dev/null", 1);
	setenv("KRB5CCNAME", "FILE:/nonexistent/irt-unit-ccache", 1);
	assert_int_equal(
	    gss_import_name(&minor, &in, GSS_C_NT_HOSTBASED_SERVICE, &name),
	    GSS_S_COMPLETE);
	major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &ctx, name,
	    &krb5, GSS_C_MUTUAL_FLAG, GSS_C_INDEFINITE,
	    GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER, NULL, &out, NULL, NULL);
	assert_int_equal(GSS_ROUTINE_ERROR(major), GSS_S_NO_CRED);
	gss_release_buffer(&minor, &out);
	gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
	assert_int_equal(gss_release_name(&minor, &name), GSS_S_COMPLETE);
}
#else
static void
test_mechs_from_the_library(void **state)
{
	(void)state;
	skip(); /* this build links libgssapi_krb5, or does without */
}

static void
test_hostbased_service_name(void **state)
{
	(void)state;
	skip();
}
#endif

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mechs_from_the_library),
		cmocka_unit_test(test_hostbased_service_name),
	};

	return UNIT_RUN(tests);
}
