-- Part of Aspire.Hosting.Prosody: creates the accounts the Aspire app model declares.
--
-- The official image registers at most one account, and passes its password on prosodyctl's command line.
-- This module runs inside Prosody instead, so it works for any number of accounts and any storage (internal
-- files or SQL), and it reads passwords from environment variables, never from the configuration.
-- It runs on every start and is idempotent: a missing account is created, an existing one keeps its data and
-- gets the password the app model holds now.
--
-- Configuration (global, written by the integration):
--   aspire_accounts = { { jid = "admin@chat.dev.localhost", password_variable = "ASPIRE_ACCOUNT_1_PASSWORD" }, ... }

local usermanager = require "core.usermanager";
local jid_split = require "util.jid".split;
local saslprep = require "util.encodings".stringprep.saslprep;

local host = module.host;
local retry_seconds = 5;

local function wanted_accounts()
	local accounts = {};
	for _, account in ipairs(module:get_option("aspire_accounts", {})) do
		local username, account_host = jid_split(account.jid);
		if account_host == host and username then
			table.insert(accounts, { username = username, variable = account.password_variable });
		end
	end
	return accounts;
end

-- Returns true when every account is in place; false when storage failed and a retry is due.
local function provision()
	local complete = true;
	for _, account in ipairs(wanted_accounts()) do
		local password = os.getenv(account.variable);
		if not password or password == "" then
			module:log("error", "No password for %s@%s: the environment variable %s is not set", account.username, host, account.variable);
		elseif not saslprep(password) then
			-- No retry can help: nobody could ever sign in with it. Stop, naming the account and the fix, instead of
			-- a Healthy server that logs the same failure every few seconds.
			module:log("error", "The password of %s@%s (environment variable %s) fails SASLprep (an empty value, a control character such as a line break, "
				.. "or another character passwords may not hold): Prosody can never accept it. Give the account's password parameter another value.",
				account.username, host, account.variable);
			prosody.shutdown("aspire: a password Prosody cannot accept", 78);
			return false;
		else
			local ok, err;
			if usermanager.user_exists(account.username, host) then
				if usermanager.test_password(account.username, host, password) then
					ok = true;
				else
					ok, err = usermanager.set_password(account.username, password, host, nil);
					if ok then module:log("info", "Password of %s@%s set from the app model", account.username, host); end
				end
			else
				ok, err = usermanager.create_user(account.username, password, host);
				if ok then module:log("info", "Created account %s@%s", account.username, host); end
			end
			if not ok then
				complete = false;
				module:log("error", "Could not provision %s@%s: %s", account.username, host, tostring(err));
			end
		end
	end
	return complete;
end

-- Read by mod_aspire_health: a host is ready once its accounts exist. Shared data (one table for every host, at a
-- path both modules name) outlives a reload of either module, as Prosody's own modules keep their shared state.
local ready_hosts = module:shared("/*/aspire_accounts/ready");

function module.unload()
	ready_hosts[host] = nil;
end

-- One attempt. A number returned to module:add_timer runs it again after that many seconds; nil stops it.
local function provision_attempt()
	if provision() then
		ready_hosts[host] = true;
		return nil;
	end
	-- Storage (a database) may not be reachable yet: try again rather than give up.
	return retry_seconds;
end

local function provision_until_done()
	-- The first attempt runs at once, so that a server whose storage answers is ready when it serves its first client.
	local retry_in = provision_attempt();
	if retry_in then
		module:add_timer(retry_in, provision_attempt);
	end
end

-- "server-started" fires after every host is loaded and before Prosody serves its first connection, so a client
-- that gets stream features can already sign in. On a module reload the server is running already.
if prosody.start_time and prosody.state == "running" then
	provision_until_done();
else
	module:hook_global("server-started", provision_until_done);
end
