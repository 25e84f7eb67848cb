/*
 * The containers builtin's parsers: Docker's config.v2.json and
 * hostconfig.json, Podman's containers.json, OCI runtime specs; and
 * hostile configs (huge, deep, bad UTF-8, NUL bytes, wrong types).
 */
#include <json-c/json.h>

#include "unit.h"

#include "collect/collect-int.h"
#include "util/internal.h"

/* The n-th line of out as a JSON object (the caller puts it). */
static struct json_object *
line_obj(const struct irt_buf *out, size_t n)
{
	const char *p = out->ptr, *nl;
	struct json_object *o;
	char *s;

	assert_non_null(p);
	while (n-- > 0) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		p = nl + 1;
	}
	nl = strchr(p, '\n');
	assert_non_null(nl);
	s = strndup(p, (size_t)(nl - p));
	assert_non_null(s);
	o = json_tokener_parse(s);
	free(s);
	assert_non_null(o);
	assert_true(json_object_is_type(o, json_type_object));
	return o;
}

static size_t
lines(const struct irt_buf *out)
{
	size_t i, n = 0;

	for (i = 0; i < out->len; i++)
		n += out->ptr[i] == '\n';
	return n;
}

static const char *
str(struct json_object *o, const char *key)
{
	struct json_object *x;

	if (!json_object_object_get_ex(o, key, &x) ||
	    !json_object_is_type(x, json_type_string))
		return NULL;
	return json_object_get_string(x);
}

static struct json_object *
mem(struct json_object *o, const char *key)
{
	struct json_object *x;

	assert_true(json_object_object_get_ex(o, key, &x));
	return x;
}

static int
is_null(struct json_object *o, const char *key)
{
	return json_object_is_type(mem(o, key), json_type_null);
}

static const char docker_cfg[] =
    "{\"StreamConfig\":{},\"State\":{\"Running\":true,\"Paused\":false,"
    "\"Restarting\":false,\"OOMKilled\":false,\"RemovalInProgress\":false,"
    "\"Dead\":false,\"Pid\":4242,\"ExitCode\":0,\"Error\":\"\","
    "\"StartedAt\":\"2024-05-01T10:00:01.123456789Z\","
    "\"FinishedAt\":\"0001-01-01T00:00:00Z\",\"Health\":null},"
    "\"ID\":\"0123abcd\",\"Created\":\"2024-05-01T09:59:59.5Z\","
    "\"Path\":\"/bin/sh\",\"Args\":[\"-c\",\"nc -l 4444\"],"
    "\"Config\":{\"Hostname\":\"0123abcd\",\"User\":\"root\","
    "\"Image\":\"alpine:3.19\"},"
    "\"Image\":\"sha256:feed\",\"Name\":\"/evil\","
    "\"MountPoints\":{\"/host\":{\"Source\":\"/\",\"Destination\":"
    "\"/host\",\"RW\":true,\"Name\":\"\",\"Driver\":\"\",\"Type\":"
    "\"bind\"},\"/ro\":{\"Source\":\"/etc\",\"Destination\":\"/ro\","
    "\"RW\":false,\"Type\":\"bind\"}}}";

static const char docker_host[] =
    "{\"Binds\":[\"/:/host\"],\"NetworkMode\":\"host\",\"Privileged\":true,"
    "\"CapAdd\":[\"CAP_SYS_PTRACE\"],\"PidMode\":\"host\"}";

static void
test_docker(void **state)
{
	struct irt_buf out = IRT_BUF_INIT;
	struct json_object *o, *m, *x;

	(void)state;
	assert_int_equal(
	    irt_container_docker(&out, "/c/config.v2.json", docker_cfg,
	        strlen(docker_cfg), docker_host, strlen(docker_host)),
	    0);
	assert_int_equal(lines(&out), 1);
	o = line_obj(&out, 0);
	assert_string_equal(str(o, "runtime"), "docker");
	assert_string_equal(str(o, "config"), "/c/config.v2.json");
	assert_string_equal(str(o, "id"), "0123abcd");
	assert_string_equal(str(o, "name"), "evil");
	assert_string_equal(str(o, "image"), "alpine:3.19");
	assert_string_equal(str(o, "image_id"), "sha256:feed");
	assert_string_equal(str(o, "created"), "2024-05-01T09:59:59.500Z");
	assert_string_equal(
	    str(o, "started"), "2024-05-01T10:00:01.123456789Z");
	assert_true(is_null(o, "finished"));
	assert_string_equal(str(o, "state"), "running");
	assert_int_equal(json_object_get_int(mem(o, "pid")), 4242);
	assert_true(is_null(o, "exit_code"));
	x = mem(o, "command");
	assert_int_equal(json_object_array_length(x), 3);
	assert_string_equal(
	    json_object_get_string(json_object_array_get_idx(x, 2)),
	    "nc -l 4444");
	x = mem(o, "mounts");
	assert_int_equal(json_object_array_length(x), 2);
	m = json_object_array_get_idx(x, 0);
	assert_string_equal(str(m, "source"), "/");
	assert_string_equal(str(m, "destination"), "/host");
	assert_string_equal(str(m, "type"), "bind");
	assert_true(json_object_get_boolean(mem(m, "rw")));
	m = json_object_array_get_idx(x, 1);
	assert_false(json_object_get_boolean(mem(m, "rw")));
	assert_true(json_object_get_boolean(mem(o, "privileged")));
	x = mem(o, "cap_add");
	assert_int_equal(json_object_array_length(x), 1);
	assert_string_equal(
	    json_object_get_string(json_object_array_get_idx(x, 0)),
	    "CAP_SYS_PTRACE");
	assert_string_equal(str(o, "network_mode"), "host");
	assert_string_equal(str(o, "pid_mode"), "host");
	json_object_put(o);
	irt_buf_release(&out);
}

/* An exited container without hostconfig.json: what it cannot know is
 * null, not false. */
static void
test_docker_exited_no_hostconfig(void **state)
{
	static const char cfg[] =
	    "{\"ID\":\"ab\",\"Name\":\"/web\",\"State\":{\"Running\":false,"
	    "\"Pid\":0,\"ExitCode\":137,\"StartedAt\":"
	    "\"2024-05-01T10:00:00+02:00\",\"FinishedAt\":"
	    "\"2024-05-01T11:00:00Z\"}}";
	struct irt_buf out = IRT_BUF_INIT;
	struct json_object *o;

	(void)state;
	assert_int_equal(
	    irt_container_docker(&out, "x", cfg, strlen(cfg), NULL, 0), 0);
	o = line_obj(&out, 0);
	assert_string_equal(str(o, "state"), "exited");
	assert_string_equal(str(o, "started"), "2024-05-01T08:00:00Z");
	assert_string_equal(str(o, "finished"), "2024-05-01T11:00:00Z");
	assert_int_equal(json_object_get_int(mem(o, "exit_code")), 137);
	assert_true(is_null(o, "pid"));
	assert_true(is_null(o, "privileged"));
	assert_true(is_null(o, "cap_add"));
	assert_true(is_null(o, "mounts"));
	assert_true(is_null(o, "network_mode"));
	json_object_put(o);
	irt_buf_release(&out);
}

static void
expect_error(const char *text, size_t len, const char *why)
{
	struct irt_buf out = IRT_BUF_INIT;
	struct json_object *o;

	assert_int_equal(
	    irt_container_docker(&out, "/bad", text, len, NULL, 0), 0);
	assert_int_equal(lines(&out), 1);
	o = line_obj(&out, 0);
	assert_string_equal(str(o, "config"), "/bad");
	assert_non_null(str(o, "error"));
	if (strstr(str(o, "error"), why) == NULL)
		fail_msg("error '%s' does not say '%s'", str(o, "error"), why);
	assert_null(str(o, "id"));
	json_object_put(o);
	irt_buf_release(&out);
}

static void
test_hostile(void **state)
{
	size_t n = 200000, i;
	char *deep = malloc(n), *big;
	struct irt_buf out = IRT_BUF_INIT;
	struct json_object *o;

	(void)state;
	assert_non_null(deep);
	/* nesting far beyond any stack: refused at depth 64 */
	memset(deep, '[', n);
	expect_error(deep, n, "nesting too deep");
	for (i = 0; i < n / 2; i++)
		deep[i] = '[';
	for (; i < n; i++)
		deep[i] = ']';
	expect_error(deep, n, "nesting too deep");
	free(deep);
	/* larger than the cap: never parsed */
	big = malloc((16u << 20) + 2);
	assert_non_null(big);
	memset(big, ' ', (16u << 20) + 2);
	big[0] = '{';
	big[(16u << 20) + 1] = '}';
	expect_error(big, (16u << 20) + 2, "larger than 16777216 bytes");
	free(big);
	expect_error("", 0, "unexpected end");
	expect_error("{\"ID\":\"a\"", 9, "unexpected end");
	expect_error("{} {}", 5, "trailing data");
	expect_error("{}\0{}", 5, "trailing data");
	expect_error("[1,2]", 5, "not a JSON object");
	expect_error("\"x\"", 3, "not a JSON object");
	/* wrong types are left out; bad UTF-8, NUL and escapes survive,
	 * escaped, in valid JSON */
	{
		static const char cfg[] =
		    "{\"ID\":7,\"Name\":\"/a\xff\xfe\\u0000b\\u001b[31m\","
		    "\"State\":[],\"Config\":{\"Image\":{}},"
		    "\"MountPoints\":{\"/x\":1,\"/y\":{\"RW\":\"yes\"}},"
		    "\"Path\":\"/bin/sh\",\"Args\":[1,\"ok\",null]}";
		static const char host[] =
		    "{\"Privileged\":\"true\",\"CapAdd\":null}";
		const char *name;
		assert_int_equal(irt_container_docker(&out, "/c", cfg,
		                     sizeof cfg - 1, host, sizeof host - 1),
		    0);
		o = line_obj(&out, 0);
		assert_true(is_null(o, "id"));
		name = str(o, "name");
		assert_non_null(name);
		assert_non_null(strstr(name, "\\xff\\xfe"));
		assert_int_equal(json_object_get_string_len(mem(o, "name")),
		    strlen("a\\xff\\xfe") + 1 + 1 + 5);
		assert_true(is_null(o, "state"));
		assert_true(is_null(o, "image"));
		assert_int_equal(json_object_array_length(mem(o, "mounts")), 1);
		assert_true(is_null(
		    json_object_array_get_idx(mem(o, "mounts"), 0), "rw"));
		assert_string_equal(
		    str(json_object_array_get_idx(mem(o, "mounts"), 0),
		        "destination"),
		    "/y");
		assert_int_equal(
		    json_object_array_length(mem(o, "command")), 2);
		assert_true(is_null(o, "privileged"));
		assert_int_equal(
		    json_object_array_length(mem(o, "cap_add")), 0);
		json_object_put(o);
		irt_buf_release(&out);
	}
	/* a hostconfig.json that is no JSON: said, the config still read */
	assert_int_equal(
	    irt_container_docker(&out, "/c", "{\"ID\":\"z\"}", 10, "{nope", 5),
	    0);
	o = line_obj(&out, 0);
	assert_string_equal(str(o, "id"), "z");
	assert_non_null(strstr(str(o, "error"), "invalid JSON"));
	json_object_put(o);
	irt_buf_release(&out);
}

static const char oci_spec[] =
    "{\"ociVersion\":\"1.0.2\",\"process\":{\"user\":{\"uid\":0,\"gid\":0},"
    "\"args\":[\"/pause\"],\"capabilities\":{\"bounding\":[\"CAP_CHOWN\","
    "\"CAP_KILL\",\"CAP_SYS_ADMIN\",\"CAP_NET_ADMIN\"]}},"
    "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":"
    "\"proc\"},{\"destination\":\"/host\",\"type\":\"bind\",\"source\":"
    "\"/\",\"options\":[\"rbind\",\"ro\"]}],"
    "\"annotations\":{\"io.kubernetes.cri.container-name\":\"miner\","
    "\"io.kubernetes.cri.image-name\":\"docker.io/x/miner:1\"},"
    "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\","
    "\"path\":\"/var/run/netns/cni-1\"}]}}";

static void
test_oci(void **state)
{
	struct irt_buf out = IRT_BUF_INIT;
	struct json_object *o, *x;

	(void)state;
	assert_int_equal(irt_container_oci(&out, "/run/b/config.json", "k8s.io",
	                     "c1", oci_spec, strlen(oci_spec), "777\n", 4),
	    0);
	o = line_obj(&out, 0);
	assert_string_equal(str(o, "runtime"), "containerd");
	assert_string_equal(str(o, "namespace"), "k8s.io");
	assert_string_equal(str(o, "id"), "c1");
	assert_string_equal(str(o, "name"), "miner");
	assert_string_equal(str(o, "image"), "docker.io/x/miner:1");
	assert_int_equal(json_object_get_int(mem(o, "pid")), 777);
	assert_string_equal(str(o, "user"), "0");
	x = mem(o, "mounts");
	assert_int_equal(json_object_array_length(x), 2);
	assert_true(json_object_get_boolean(
	    mem(json_object_array_get_idx(x, 0), "rw")));
	assert_false(json_object_get_boolean(
	    mem(json_object_array_get_idx(x, 1), "rw")));
	/* CAP_SYS_ADMIN and no masked paths: what --privileged gives */
	assert_true(json_object_get_boolean(mem(o, "privileged")));
	x = mem(o, "cap_add");
	assert_int_equal(json_object_array_length(x), 2);
	assert_string_equal(
	    json_object_get_string(json_object_array_get_idx(x, 0)),
	    "CAP_SYS_ADMIN");
	assert_string_equal(
	    str(o, "network_mode"), "netns:/var/run/netns/cni-1");
	assert_string_equal(str(o, "pid_mode"), "private");
	json_object_put(o);
	irt_buf_release(&out);
	/* a pid file that is no number gives no pid */
	assert_int_equal(irt_container_oci(&out, "/b", "ns", "c2", oci_spec,
	                     strlen(oci_spec), "12x", 3),
	    0);
	o = line_obj(&out, 0);
	assert_true(is_null(o, "pid"));
	json_object_put(o);
	irt_buf_release(&out);
	assert_int_equal(
	    irt_container_oci(&out, "/b", "ns", "c3", "[]", 2, NULL, 0), 0);
	o = line_obj(&out, 0);
	assert_string_equal(str(o, "id"), "c3");
	assert_string_equal(str(o, "error"), "not a JSON object");
	json_object_put(o);
	irt_buf_release(&out);
}

static int
spec_of(void *arg, const char *id, struct irt_buf *spec)
{
	(*(int *)arg)++;
	if (strcmp(id, "p1") != 0)
		return -1;
	return irt_buf_puts(spec,
	    "{\"process\":{\"args\":[\"sleep\",\"1\"],\"capabilities\":"
	    "{\"bounding\":[\"CAP_CHOWN\"]}},\"linux\":{\"maskedPaths\":"
	    "[\"/proc/kcore\"],\"namespaces\":[{\"type\":\"network\"}]},"
	    "\"annotations\":{\"io.podman.annotations.privileged\":"
	    "\"FALSE\"}}");
}

static void
test_podman(void **state)
{
	static const char json[] =
	    "[{\"id\":\"p1\",\"names\":[\"web\"],\"image\":\"img1\","
	    "\"layer\":\"l1\",\"metadata\":\"{\\\"image-name\\\":"
	    "\\\"docker.io/library/"
	    "nginx:latest\\\",\\\"name\\\":\\\"web\\\"}\","
	    "\"created\":\"2024-05-01T10:00:00.25Z\"},"
	    "{\"id\":\"../../etc\",\"names\":[],\"metadata\":\"{\\\"name\\\":"
	    "\\\"other\\\"}\",\"created\":\"nonsense\"}, 5]";
	struct irt_buf out = IRT_BUF_INIT;
	struct json_object *o;
	int calls = 0;

	(void)state;
	assert_int_equal(irt_container_podman(&out, "/s/containers.json",
	                     "/home/ann", json, strlen(json), spec_of, &calls),
	    0);
	/* an id that is no file name is never used as a path */
	assert_int_equal(calls, 1);
	assert_int_equal(lines(&out), 2);
	o = line_obj(&out, 0);
	assert_string_equal(str(o, "runtime"), "podman");
	assert_string_equal(str(o, "home"), "/home/ann");
	assert_string_equal(str(o, "id"), "p1");
	assert_string_equal(str(o, "name"), "web");
	assert_string_equal(str(o, "image"), "docker.io/library/nginx:latest");
	assert_string_equal(str(o, "image_id"), "img1");
	assert_string_equal(str(o, "created"), "2024-05-01T10:00:00.250Z");
	assert_false(json_object_get_boolean(mem(o, "privileged")));
	assert_int_equal(json_object_array_length(mem(o, "cap_add")), 0);
	assert_string_equal(str(o, "network_mode"), "private");
	assert_string_equal(str(o, "pid_mode"), "host");
	json_object_put(o);
	o = line_obj(&out, 1);
	assert_string_equal(str(o, "id"), "../../etc");
	assert_string_equal(str(o, "name"), "other");
	assert_true(is_null(o, "created"));
	assert_true(is_null(o, "mounts"));
	json_object_put(o);
	irt_buf_release(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker),
		cmocka_unit_test(test_docker_exited_no_hostconfig),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_oci),
		cmocka_unit_test(test_podman),
	};

	return UNIT_RUN(tests);
}
