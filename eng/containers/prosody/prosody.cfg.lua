-- /etc/prosody/prosody.cfg.lua of the locally built stand-ins for prosodyim/prosody:13.0
-- and :0.12 (built by eng/containers/provision.sh): one template for both versions.
--
-- Written for this repository from the documented contract of the official image's
-- environment-driven configuration: every PROSODY_* variable below behaves as the
-- official template of the running version does, quirks included (see
-- eng/containers/README.md).
-- Values are read through ENV_<NAME>, i.e. os.getenv() while this file is parsed.
-- Careful: an empty variable is a non-nil string, and Lua treats "" as true.
--
-- Check the result with:  prosodyctl check config

-- "a,b,c" -> { "a", "b", "c" }; nil stays nil. Empty items are dropped and spaces are
-- NOT trimmed ("a, b" gives "a" and " b"), exactly like the official image.
local function env_list(value, separator)
	if value == nil then return nil; end
	local items = {};
	for item in value:gmatch("[^" .. (separator or ",") .. "]+") do
		items[#items + 1] = item;
	end
	return items;
end

-- The version switch. Prosody 13 gives config files the Lua standard library as `Lua`;
-- 0.12 lets them see Lua's globals directly.
local prosody13 = Lua ~= nil;
local L = prosody13 and Lua or _G;
local unpack, to_number, each = L.table.unpack or L.unpack, L.tonumber, L.ipairs;

-- Hosts are needed early (turn_external_host may default to the network host name).
-- Without PROSODY_VIRTUAL_HOSTS the only host is the container's host name.
local virtual_hosts = env_list(ENV_PROSODY_VIRTUAL_HOSTS)
	or { L.require(prosody13 and "prosody.util.pposix" or "util.pposix").uname().nodename };
local network_hostname = ENV_PROSODY_NETWORK_HOSTNAME or (#virtual_hosts == 1 and virtual_hosts[1]);

---------- Global settings ----------

plugin_paths = env_list(ENV_PROSODY_PLUGIN_PATHS or "/etc/prosody/modules")

-- Global admins (role prosody:operator in 13.0); unset means no admins.
admins = env_list(ENV_PROSODY_ADMINS)

-- The module set of the official templates. Commented out there, and so only
-- reachable through PROSODY_ENABLE_MODULES (or the variables below): mam,
-- turn_external, bosh, http_openmetrics, websocket, announce, groups, legacyauth,
-- mimicking, motd, proxy65, s2s_bidi, server_contact_info, tombstones,
-- watchregistrations, welcome.
-- Built as a local list and assigned once: 0.12 has no `option:append`, and 13.0's
-- template appends to the same effect.
local enabled = {
	"disco"; "roster"; "saslauth"; "tls";
	"blocklist"; "bookmarks"; "carbons"; "dialback"; "limits"; "pep"; "private";
	"smacks"; "vcard4"; "vcard_legacy";
	"csi_simple"; "invites"; "invites_adhoc"; "invites_register"; "ping"; "register";
	"time"; "uptime"; "version";
	"admin_adhoc"; "admin_shell";
}

local function enable(names)
	for _, name in each(names or {}) do
		enabled[#enabled + 1] = name;
	end
end

enable(env_list(ENV_PROSODY_ENABLE_MODULES))

-- A TURN secret switches on mod_turn_external (credentials for coturn's
-- --use-auth-secret). The host falls back to the network host name.
if ENV_PROSODY_TURN_SECRET then
	enable{ "turn_external" }
	turn_external_secret = ENV_PROSODY_TURN_SECRET
	turn_external_host = ENV_PROSODY_TURN_HOST or network_hostname or nil
	turn_external_port = ENV_PROSODY_TURN_PORT
	turn_external_tls_port = ENV_PROSODY_TURN_TLS_PORT
end

-- Any retention setting also switches on message archiving.
if ENV_PROSODY_RETENTION_DAYS or ENV_PROSODY_ARCHIVE_EXPIRY_DAYS then
	enable{ "mam" }
end

modules_enabled = enabled
modules_disabled = env_list(ENV_PROSODY_DISABLE_MODULES) or {}

-- Only the literal "0" turns certificate-based s2s authentication off.
s2s_secure_auth = ENV_PROSODY_S2S_SECURE_AUTH ~= "0"

-- DANE: ANY non-empty value (even "0" or "false") turns it on. PROSODY_USE_DANE and
-- PROSODY_DNS_RESOLVERS are 13.0-only: the 0.12 template does not read them.
if prosody13 then
	use_dane = ENV_PROSODY_USE_DANE and true or false
	unbound = {
		trustfile = ENV_PROSODY_USE_DANE and "/usr/share/dns/root.ds"; -- from dns-root-data
		forward = env_list(ENV_PROSODY_DNS_RESOLVERS);
	}
end

limits = {
	c2s = { rate = ENV_PROSODY_C2S_RATE_LIMIT or "10kb/s" };
	s2sin = { rate = ENV_PROSODY_S2S_RATE_LIMIT or "30kb/s" };
}

authentication = "internal_hashed"

-- A SQL driver forces SQL storage; PROSODY_STORAGE only counts without one.
-- There is deliberately no port: the driver default (5432/3306) applies.
storage = ENV_PROSODY_SQL_DRIVER and "sql" or ENV_PROSODY_STORAGE or "internal"
if ENV_PROSODY_SQL_DRIVER then
	sql = {
		driver = ENV_PROSODY_SQL_DRIVER;
		database = ENV_PROSODY_SQL_DB;
		host = ENV_PROSODY_SQL_HOST;
		username = ENV_PROSODY_SQL_USERNAME;
		password = ENV_PROSODY_SQL_PASSWORD;
	}
end

-- Always set (default one week), whether or not mam is loaded.
archive_expires_after = (ENV_PROSODY_ARCHIVE_EXPIRY_DAYS or ENV_PROSODY_RETENTION_DAYS or "7") .. "d"

-- Everything goes to the container's stdout.
log = { [ENV_PROSODY_LOGLEVEL or "info"] = "*console" }

statistics = ENV_PROSODY_STATISTICS
statistics_interval = to_number(ENV_PROSODY_STATISTICS_INTERVAL) or ENV_PROSODY_STATISTICS_INTERVAL

-- Relative to this file's directory: /etc/prosody/certs by default.
certificates = ENV_PROSODY_CERTIFICATES or "certs"

-- Not set here on purpose (Prosody defaults, as in the official image): http_interfaces
-- and component_interfaces (loopback only), c2s_require_encryption (true), pidfile.
if network_hostname then
	http_host = network_hostname
	proxy65_address = network_hostname
end

---------- Virtual hosts ----------

for _, host in each(virtual_hosts) do
	VirtualHost (host)
end

---------- Components ----------

-- PROSODY_COMPONENTS="conference.example.com:muc,share.example.com:http_file_share"
for _, definition in each(env_list(ENV_PROSODY_COMPONENTS) or {}) do
	local name, module_name = unpack(env_list(definition, ":"));
	Component (name) (module_name)

	if module_name == "muc" then
		modules_enabled = env_list(ENV_PROSODY_MUC_MODULES)
	elseif module_name == "http_file_share" then
		-- Kept as documented: this option name is misspelt (the module reads
		-- http_file_share_expires_after), so PROSODY_UPLOAD_EXPIRY_DAYS has no effect.
		http_file_share_expire_after = 60 * 60 * 24 * to_number(ENV_PROSODY_UPLOAD_EXPIRY_DAYS or ENV_PROSODY_RETENTION_DAYS or "7")
		if ENV_PROSODY_UPLOAD_LIMIT_MB then
			http_file_share_size_limit = 1024 * 1024 * to_number(ENV_PROSODY_UPLOAD_LIMIT_MB) + 16
		end
		if ENV_PROSODY_UPLOAD_STORAGE_GB then
			http_file_share_global_quota = 1024 * 1024 * 1024 * to_number(ENV_PROSODY_UPLOAD_STORAGE_GB)
		end
		http_paths = { file_share = "/share" }
	end
end

-- PROSODY_EXTERNAL_COMPONENTS="gateway.example.com:secret,..." (port 5347, loopback only
-- unless a conf.d file sets component_interfaces).
for _, definition in each(env_list(ENV_PROSODY_EXTERNAL_COMPONENTS) or {}) do
	local name, secret = unpack(env_list(definition, ":"));
	Component (name)
		component_secret = secret or ENV_PROSODY_COMPONENT_SECRET
end

-- Extra configuration last. Each included file starts in the global scope again, so it
-- may set global options (http_interfaces, pidfile, ...) or reopen a VirtualHost.
-- The directory must exist, even when empty.
Include (ENV_PROSODY_EXTRA_CONFIG or "/etc/prosody/conf.d/*.cfg.lua")
