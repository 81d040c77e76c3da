#!/usr/bin/env bash
# The newcomer check: a fresh worker project that knows nothing of this repository takes the packed
# Aspire.Prosody.Client from a folder feed and builds with only the steps its README gives (add the package, call
# AddProsodyClient, take XmppClient from dependency injection). Run after packing:
#   dotnet pack src/Aspire.Prosody.Client -c Release -o artifacts/packages && eng/newcomer/check.sh artifacts/packages
set -euo pipefail
packages="$(cd "${1:?usage: check.sh PACKAGE_FOLDER}" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

# The folder feed first, then whatever the machine's NuGet configuration already names for everything else.
cat > nuget.config <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local" value="$packages" />
  </packageSources>
</configuration>
XML

dotnet new worker --name Newcomer --output Newcomer --framework net10.0 >/dev/null
cd Newcomer
version=$(ls "$packages" | sed -n 's/^Aspire\.Prosody\.Client\.\([0-9][^s]*\)\.nupkg$/\1/p' | head -n 1)
[ -n "$version" ] || { echo "newcomer: no Aspire.Prosody.Client package in $packages" >&2; exit 1; }
dotnet add package Aspire.Prosody.Client --version "$version" >/dev/null

# The README's "Get started", in a worker.
cat > Program.cs <<'CS'
using Aspire.Prosody.Client;

var builder = Host.CreateApplicationBuilder(args);
builder.AddProsodyClient("bot");
builder.Services.AddHostedService<Notifier>();
builder.Build().Run();

sealed class Notifier(XmppClient xmpp) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await xmpp.ConnectAsync(stoppingToken);
        await xmpp.SendMessageAsync(Jid.Parse("alice@chat.dev.localhost"), "hello from a newcomer", cancellationToken: stoppingToken);
    }
}
CS
rm -f Worker.cs
dotnet build -warnaserror -nologo -v q
echo "newcomer: a fresh worker built against Aspire.Prosody.Client $version from the package alone"
