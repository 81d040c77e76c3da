-- Part of Aspire.Hosting.Prosody: keeps Prosody alive when its database restarts (a failover, an upgrade, a stop).
--
-- LuaDBI's PostgreSQL driver (0.7.4, the one in the image) has a use-after-free: a prepared statement holds a raw
-- pointer to its connection and no reference to it. When Prosody's util.sql finds the connection dead it drops the
-- connection (self.conn = nil) but keeps the statements until the next successful connect; if the collector frees
-- the connection first, a statement's finalizer later calls PQexec on freed memory and Prosody segfaults.
-- docs/postgres-restart-segfault.md has the analysis and the upstream fixes.
--
-- This module closes a dead connection's prepared statements while the connection is still alive, and forgets
-- them, so no finalizer can reach a freed connection. It wraps engine:_transaction, shared by every util.sql engine
-- (existing and future): after a failed transaction whose connection no longer answers a ping, it does what the
-- upstream patch does, just before engine:transaction drops the connection and reconnects.

module:set_global();

local ok_sql, sql = pcall(require, "prosody.util.sql");
if not ok_sql then
	ok_sql, sql = pcall(require, "util.sql"); -- Prosody 0.12
end
if not ok_sql then
	module:log("debug", "util.sql is not available (%s); nothing to do", tostring(sql));
	return;
end

-- util.sql keeps its methods in a local table, reachable as the metatable index of any engine.
local engine_methods = getmetatable(sql:create_engine({ driver = "PostgreSQL", database = "aspire" })).__index;
local original_transaction = engine_methods._transaction;
if type(original_transaction) ~= "function" then
	module:log("warn", "util.sql has no engine:_transaction: the LuaDBI failover workaround is not active");
	return;
end

local function drop_statements(engine)
	local conn, prepared = engine.conn, engine.prepared;
	if not conn or not prepared or next(prepared) == nil then return; end
	local ok, alive = pcall(conn.ping, conn);
	if ok and alive then return; end
	local closed = 0;
	-- The connection object is still referenced (engine.conn), so its memory is valid while the statements close.
	for _, statement in pairs(prepared) do
		pcall(statement.close, statement);
		closed = closed + 1;
	end
	engine.prepared = {};
	module:log("info", "Database connection lost: closed its %d prepared statements before reconnecting", closed);
end

local function guarded_transaction(engine, ...)
	local ok, a, b, c = original_transaction(engine, ...);
	if not ok then
		drop_statements(engine);
	end
	return ok, a, b, c;
end

engine_methods._transaction = guarded_transaction;
module:log("debug", "LuaDBI failover workaround active");

function module.unload()
	if engine_methods._transaction == guarded_transaction then
		engine_methods._transaction = original_transaction;
	end
end
