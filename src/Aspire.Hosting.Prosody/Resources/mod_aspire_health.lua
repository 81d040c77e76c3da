-- Part of Aspire.Hosting.Prosody: liveness and readiness over HTTP, for the probes of the platform a published
-- model runs on (Kubernetes, Container Apps).
--
--   GET /aspire-health/live   200 while Prosody's HTTP server answers.
--   GET /aspire-health/ready  200 once every virtual host has its app-model accounts (so storage answered and a
--                             client can sign in), 503 before, naming the host that is not ready.
--
-- The answers hold no data beyond a host name, so they need no access control.

module:set_global();
module:depends("http");

local function not_ready_host()
	local ready = prosody.aspire_accounts_ready or {};
	for host, host_session in pairs(prosody.hosts) do
		if host_session.type == "local" and not ready[host] then
			return host;
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
			local host = not_ready_host();
			if host then
				return plain(event, 503, "not ready: " .. host .. " is creating its accounts\n");
			end
			return plain(event, 200, "ready\n");
		end;
	};
});
