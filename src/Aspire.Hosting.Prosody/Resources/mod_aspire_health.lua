-- Part of Aspire.Hosting.Prosody: liveness and readiness over HTTP, for the probes of the platform a published
-- model runs on (Kubernetes, Container Apps), and for the AppHost's health check in run mode.
--
--   GET /aspire-health/live   200 while Prosody's HTTP server answers: about the process only.
--   GET /aspire-health/ready  200 while a client can sign in now; 503 otherwise, with the reason in the body:
--                             - a virtual host has not created its app-model accounts yet;
--                             - a virtual host's storage cannot be read (a database stopped under a running server);
--                             - TLS cannot work for a virtual host's clients: no usable context (a key that does not
--                               match its certificate, an unreadable file) or a certificate outside its validity.
--
-- Each check is cached briefly (storage_ttl, tls_ttl seconds) so that frequent probes cost one storage read and
-- one certificate check per period, however many arrive. The answers hold no data beyond host names and error
-- texts, so they need no access control.

module:set_global();
module:depends("http");

-- Prosody 13 names its libraries prosody.*; 0.12, which this package also runs, without the prefix.
local function require_either(name)
	local ok, lib = pcall(require, "prosody." .. name);
	if ok then return lib; end
	return require(name);
end

local certmanager = require_either("core.certmanager");
local configmanager = require_either("core.configmanager");
local storagemanager = require_either("core.storagemanager");
local now = require_either("util.time").now;
local have_ssl, ssl = pcall(require, "ssl");

local storage_ttl = 3;
local tls_ttl = 30;
-- A user name that no account can have (it is not a valid localpart escape): reading it proves the store answers
-- without reading anybody's data.
local probe_user = "aspire health probe";

-- Written by mod_aspire_accounts: the hosts whose app-model accounts exist.
local accounts_ready = module:shared("/*/aspire_accounts/ready");

local storage_verdicts = {};
local tls_verdicts = {};

local function local_hosts()
	local list = {};
	for host, host_session in pairs(prosody.hosts) do
		if host_session.type == "local" then
			list[#list + 1] = host;
		end
	end
	table.sort(list);
	return list;
end

local function cached(cache, host, ttl, check)
	local entry = cache[host];
	local t = now();
	if not entry or t - entry.at >= ttl then
		entry = { at = t, problem = check(host) };
		cache[host] = entry;
	end
	return entry.problem;
end

-- One read of the accounts store, the store every sign-in needs. SQL storage returns an error (and logs it) when
-- the database does not answer; a missing entry is not an error.
local function storage_problem(host)
	local store = storagemanager.open(host, "accounts");
	local ok, value, err = pcall(store.get, store, probe_user);
	if not ok then
		return "storage of " .. host .. " cannot be read: " .. tostring(value);
	end
	if value == nil and err ~= nil then
		return "storage of " .. host .. " cannot be read: " .. tostring(err);
	end
	return nil;
end

local function read_file(path)
	local file = io.open(path, "rb");
	if not file then return nil; end
	local data = file:read("a");
	file:close();
	return data;
end

-- The same TLS context mod_tls builds for this host's client connections (STARTTLS): if it cannot be built, no
-- client can sign in, since Prosody requires encryption before a password.
local function tls_problem(host)
	local NULL = {};
	local parent = host:match("%.(.*)$");
	local host_ssl = configmanager.rawget(host, "ssl") or (parent and configmanager.rawget(parent, "ssl")) or NULL;
	local global_c2s = configmanager.rawget("*", "c2s_ssl") or NULL;
	local host_c2s = configmanager.rawget(host, "c2s_ssl") or (parent and configmanager.rawget(parent, "c2s_ssl")) or NULL;
	local ctx, err, cfg = certmanager.create_context(host, "server", host_c2s, host_ssl, global_c2s);
	if not ctx then
		return "TLS cannot work for " .. host .. ": " .. tostring(err);
	end
	local path = cfg and cfg.certificate;
	local pem = path and read_file(path);
	if not (have_ssl and pem) then
		return nil;
	end
	local cert = ssl.loadcertificate(pem);
	if not cert then
		return "TLS cannot work for " .. host .. ": the certificate " .. path .. " cannot be read";
	end
	if not cert:validat(os.time()) then
		return ("TLS cannot work for %s: the certificate %s is valid from %s to %s, not now"):format(
			host, path, tostring(cert:notbefore()), tostring(cert:notafter()));
	end
	return nil;
end

-- A reload may bring new certificates or storage settings: check again at the next probe.
module:hook_global("config-reloaded", function ()
	storage_verdicts, tls_verdicts = {}, {};
end);

local function not_ready_reason()
	for _, host in ipairs(local_hosts()) do
		if not accounts_ready[host] then
			return host .. " is creating its accounts";
		end
		local problem = cached(tls_verdicts, host, tls_ttl, tls_problem)
			or cached(storage_verdicts, host, storage_ttl, storage_problem);
		if problem then
			return problem;
		end
	end
	return nil;
end

local function plain(event, status, text)
	event.response.status_code = status;
	event.response.headers.content_type = "text/plain; charset=utf-8";
	event.response.headers.cache_control = "no-store";
	return text;
end

module:provides("http", {
	name = "aspire-health";
	default_path = "/aspire-health";
	route = {
		["GET /live"] = function (event)
			return plain(event, 200, "live\n");
		end;
		["GET /ready"] = function (event)
			local reason = not_ready_reason();
			if reason then
				return plain(event, 503, "not ready: " .. reason .. "\n");
			end
			return plain(event, 200, "ready\n");
		end;
	};
});
