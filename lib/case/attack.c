/*
 * MITRE ATT&CK technique ids: their form, and the tactic and name of the
 * techniques an intrusion on a Linux host most often shows.  A technique
 * that serves several tactics is listed under the first ATT&CK gives.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "irt/error.h"
#include "irt/escape.h"
#include "irt/event.h"

static const struct {
	const char *id, *tactic, *name;
} techniques[] = {
	{ "T1003", "Credential Access", "OS Credential Dumping" },
	{ "T1003.007", "Credential Access", "Proc Filesystem" },
	{ "T1003.008", "Credential Access", "/etc/passwd and /etc/shadow" },
	{ "T1005", "Collection", "Data from Local System" },
	{ "T1021", "Lateral Movement", "Remote Services" },
	{ "T1021.004", "Lateral Movement", "SSH" },
	{ "T1027", "Defense Evasion", "Obfuscated Files or Information" },
	{ "T1033", "Discovery", "System Owner/User Discovery" },
	{ "T1036", "Defense Evasion", "Masquerading" },
	{ "T1046", "Discovery", "Network Service Discovery" },
	{ "T1048", "Exfiltration", "Exfiltration Over Alternative Protocol" },
	{ "T1053", "Persistence", "Scheduled Task/Job" },
	{ "T1053.003", "Persistence", "Cron" },
	{ "T1059", "Execution", "Command and Scripting Interpreter" },
	{ "T1059.004", "Execution", "Unix Shell" },
	{ "T1059.006", "Execution", "Python" },
	{ "T1070", "Defense Evasion", "Indicator Removal" },
	{ "T1070.002", "Defense Evasion", "Clear Linux or Mac System Logs" },
	{ "T1070.003", "Defense Evasion", "Clear Command History" },
	{ "T1070.004", "Defense Evasion", "File Deletion" },
	{ "T1070.006", "Defense Evasion", "Timestomp" },
	{ "T1071", "Command and Control", "Application Layer Protocol" },
	{ "T1071.001", "Command and Control", "Web Protocols" },
	{ "T1078", "Initial Access", "Valid Accounts" },
	{ "T1082", "Discovery", "System Information Discovery" },
	{ "T1083", "Discovery", "File and Directory Discovery" },
	{ "T1098", "Persistence", "Account Manipulation" },
	{ "T1098.004", "Persistence", "SSH Authorized Keys" },
	{ "T1105", "Command and Control", "Ingress Tool Transfer" },
	{ "T1110", "Credential Access", "Brute Force" },
	{ "T1133", "Initial Access", "External Remote Services" },
	{ "T1136", "Persistence", "Create Account" },
	{ "T1136.001", "Persistence", "Local Account" },
	{ "T1190", "Initial Access", "Exploit Public-Facing Application" },
	{ "T1222", "Defense Evasion",
	    "File and Directory Permissions "
	    "Modification" },
	{ "T1486", "Impact", "Data Encrypted for Impact" },
	{ "T1496", "Impact", "Resource Hijacking" },
	{ "T1505", "Persistence", "Server Software Component" },
	{ "T1505.003", "Persistence", "Web Shell" },
	{ "T1543", "Persistence", "Create or Modify System Process" },
	{ "T1543.002", "Persistence", "Systemd Service" },
	{ "T1547", "Persistence", "Boot or Logon Autostart Execution" },
	{ "T1548", "Privilege Escalation",
	    "Abuse Elevation Control "
	    "Mechanism" },
	{ "T1548.001", "Privilege Escalation", "Setuid and Setgid" },
	{ "T1548.003", "Privilege Escalation", "Sudo and Sudo Caching" },
	{ "T1552", "Credential Access", "Unsecured Credentials" },
	{ "T1552.004", "Credential Access", "Private Keys" },
	{ "T1560", "Collection", "Archive Collected Data" },
	{ "T1562", "Defense Evasion", "Impair Defenses" },
	{ "T1562.001", "Defense Evasion", "Disable or Modify Tools" },
	{ "T1562.004", "Defense Evasion",
	    "Disable or Modify System "
	    "Firewall" },
	{ "T1564", "Defense Evasion", "Hide Artifacts" },
	{ "T1564.001", "Defense Evasion", "Hidden Files and Directories" },
	{ "T1566", "Initial Access", "Phishing" },
	{ "T1569", "Execution", "System Services" },
	{ "T1570", "Lateral Movement", "Lateral Tool Transfer" },
	{ "T1571", "Command and Control", "Non-Standard Port" },
	{ "T1572", "Command and Control", "Protocol Tunneling" },
	{ "T1573", "Command and Control", "Encrypted Channel" },
	{ "T1574", "Persistence", "Hijack Execution Flow" },
	{ "T1574.006", "Persistence", "Dynamic Linker Hijacking" },
	{ "T1583", "Resource Development", "Acquire Infrastructure" },
	{ "T1595", "Reconnaissance", "Active Scanning" },
	{ "T1609", "Execution", "Container Administration Command" },
	{ "T1610", "Defense Evasion", "Deploy Container" },
	{ "T1611", "Privilege Escalation", "Escape to Host" },
	{ "T1613", "Discovery", "Container and Resource Discovery" },
	{ "T1041", "Exfiltration", "Exfiltration Over C2 Channel" },
	{ "T1068", "Privilege Escalation",
	    "Exploitation for Privilege "
	    "Escalation" },
	{ "T1090", "Command and Control", "Proxy" },
	{ "T1095", "Command and Control", "Non-Application Layer Protocol" },
	{ "T1112", "Defense Evasion", "Modify Registry" },
	{ "T1485", "Impact", "Data Destruction" },
	{ "T1489", "Impact", "Service Stop" },
	{ "T1490", "Impact", "Inhibit System Recovery" },
	{ "T1499", "Impact", "Endpoint Denial of Service" },
	{ "T1529", "Impact", "System Shutdown/Reboot" },
	{ "T1040", "Credential Access", "Network Sniffing" },
	{ "T1057", "Discovery", "Process Discovery" },
	{ "T1049", "Discovery", "System Network Connections Discovery" },
	{ "T1016", "Discovery", "System Network Configuration Discovery" },
	{ "T1087", "Discovery", "Account Discovery" },
	{ "T1018", "Discovery", "Remote System Discovery" },
	{ "T1037", "Persistence", "Boot or Logon Initialization Scripts" },
	{ "T1546", "Persistence", "Event Triggered Execution" },
	{ "T1546.004", "Persistence",
	    "Unix Shell Configuration "
	    "Modification" },
	{ "T1014", "Defense Evasion", "Rootkit" },
	{ "T1556", "Credential Access", "Modify Authentication Process" },
	{ "T1556.003", "Credential Access",
	    "Pluggable Authentication "
	    "Modules" },
	{ "T1195", "Initial Access", "Supply Chain Compromise" },
	{ "T1204", "Execution", "User Execution" },
	{ "T1203", "Execution", "Exploitation for Client Execution" },
	{ "T1210", "Lateral Movement", "Exploitation of Remote Services" },
	{ "T1219", "Command and Control", "Remote Access Software" },
};

static bool
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

int
irt_attack_check(const char *t)
{
	size_t n = strlen(t);

	if ((n == 5 || n == 9) && t[0] == 'T' && digits(t + 1, 4) &&
	    (n == 5 || (t[5] == '.' && digits(t + 6, 3))))
		return 0;
	return irt_error_set(IRT_EINVAL,
	    "invalid ATT&CK technique '%s' (T1234 or T1234.001)", irt_esc(t));
}

static long
find(const char *t)
{
	size_t i;

	for (i = 0; i < sizeof techniques / sizeof techniques[0]; i++)
		if (techniques[i].tactic != NULL &&
		    strcmp(techniques[i].id, t) == 0)
			return (long)i;
	return -1;
}

const char *
irt_attack_tactic(const char *t)
{
	char parent[6];
	long i;

	if (irt_attack_check(t) != 0)
		return NULL;
	if ((i = find(t)) < 0 && strlen(t) == 9) {
		memcpy(parent, t, 5);
		parent[5] = '\0';
		i = find(parent);
	}
	return i >= 0 ? techniques[i].tactic : NULL;
}

const char *
irt_attack_name(const char *t)
{
	long i;

	if (irt_attack_check(t) != 0 || (i = find(t)) < 0)
		return NULL;
	return techniques[i].name;
}
