-- Part of Aspire.Hosting.Prosody: finds servers whose domain ends in ".localhost" (the default domains of an app
-- model, such as peer.dev.localhost) the way the container's other programs do.
--
-- Prosody's resolver, libunbound, answers every *.localhost name with 127.0.0.1 (RFC 6761) and cannot be told
-- otherwise, so a server would connect to itself ("This host does not serve peer.dev.localhost"). For those names
-- only, this module asks the C library instead, which reads /etc/hosts (--add-host) and then the container
-- network's DNS, where another AddProsody resource answers by its domain (a network alias). It connects to the
-- standard server-to-server port (5269), which is where such a server listens on the container network. Every other
-- name goes through Prosody's own resolver (SRV records, DNSSEC, DANE) unchanged.
--
-- The lookup blocks Prosody for as long as the network's DNS takes to answer: a local DNS on a development machine,
-- for names that never reach the internet.

module:set_global();

local function require_either(name)
	local ok, lib = pcall(require, "prosody." .. name);
	if ok then return lib; end
	return require(name); -- Prosody 0.12
end

local service = require_either("net.resolvers.service");
local manual = require_either("net.resolvers.manual");
local getaddrinfo = require "socket".dns.getaddrinfo;

local server_port = 5269;
local original_new = service.new;

local function is_localhost_name(name)
	return type(name) == "string" and name:lower():match("%.localhost%.?$") ~= nil;
end

local function localhost_resolver(hostname, protocol, extra)
	local targets = {};
	local addresses, err = getaddrinfo(hostname);
	for _, address in ipairs(addresses or {}) do
		local family = address.family == "inet6" and "6" or "4";
		table.insert(targets, { protocol .. family, address.addr, server_port, extra });
	end
	if #targets == 0 then
		module:log("warn", "%s is not in /etc/hosts nor known to the container network's DNS (%s); give the server that domain as a network alias", hostname, err or "no address");
	else
		module:log("debug", "%s is %s (from /etc/hosts or the container network's DNS)", hostname, targets[1][2]);
	end
	local resolver = manual.new(targets, protocol, extra);
	resolver.last_error = #targets == 0 and ("%s not found by the container network's DNS"):format(hostname) or nil;
	return resolver;
end

-- mod_s2s asks for "xmpp-server" (and "xmpps-server", direct TLS, which these servers do not offer).
function service.new(hostname, service_name, protocol, extra)
	if is_localhost_name(hostname) then
		if service_name == "xmpp-server" then
			return localhost_resolver(hostname, protocol or "tcp", extra);
		end
		return manual.new({}, protocol, extra);
	end
	return original_new(hostname, service_name, protocol, extra);
end

function module.unload()
	service.new = original_new;
end
