#!/usr/bin/env bash
# The newcomer check: a fresh worker project that knows nothing of this repository takes the packed
# Aspire.Prosody.Client from a folder feed and builds with only the steps its README gives (add the package, call
# AddProsodyClient, take XmppClient from dependency injection). Run after packing:
#   dotnet pack src/Aspire.Prosody.Client -c Release -o artifacts/packages && eng/newcomer/check.sh artifacts/packages
set -euo pipefail
packages="$(cd "${1:?usage: check.sh PACKAGE_FOLDER}" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/certs"
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
# A package of the same version restored before (an earlier run) would be taken from NuGet's cache instead of the
# one just packed: forget it first.
global_packages=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
rm -rf "${global_packages:?}/aspire.prosody.client/$version"
dotnet add package Aspire.Prosody.Client --version "$version" >/dev/null

# The README's "Get started", in a worker that signs in, sends its own account a message and stops once it has it.
cat > Program.cs <<'CS'
using Aspire.Prosody.Client;

var builder = Host.CreateApplicationBuilder(args);
builder.AddProsodyClient("bot");
builder.Services.AddHostedService<Notifier>();
builder.Build().Run();

sealed class Notifier(XmppClient xmpp, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await xmpp.ConnectAsync(stoppingToken);
        await xmpp.SendMessageAsync(xmpp.Jid!.Value.Bare, "hello from a newcomer", cancellationToken: stoppingToken);
        await foreach (var message in xmpp.ReceiveMessagesAsync(stoppingToken))
        {
            if (message.Body == "hello from a newcomer")
            {
                Console.WriteLine($"newcomer: {xmpp.Jid} received its own message");
                break;
            }
        }

        lifetime.StopApplication();
    }
}
CS
rm -f Worker.cs
dotnet build -warnaserror -nologo -v q
echo "newcomer: a fresh worker built against Aspire.Prosody.Client $version from the package alone"

# Then it runs against a real Prosody: the Prosody image with one account, a certificate from a throwaway authority,
# and the connection string an AppHost would hand over. CI must run this part; elsewhere it needs podman and the image.
image=${PROSODY_IMAGE:-docker.io/prosodyim/prosody:13.0}
if ! command -v podman >/dev/null || ! podman image exists "$image"; then
  if [ "${CI:-}" = "true" ]; then echo "newcomer: podman with $image is required on CI" >&2; exit 1; fi
  echo "newcomer: no podman or no $image here; the run against a server is left out"
  exit 0
fi
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj "/CN=newcomer CA" \
  -addext basicConstraints=critical,CA:TRUE -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=chat.dev.localhost" \
  -keyout "$work/certs/chat.dev.localhost.key" -out "$work/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:chat.dev.localhost\n' > "$work/san.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial -days 1 \
  -extfile "$work/san.ext" -out "$work/certs/chat.dev.localhost.crt" 2>/dev/null
chmod 0755 "$work/certs"; chmod 0644 "$work/certs/"*
password=$(openssl rand -hex 12)
container=$(podman run -d --rm -p 127.0.0.1::5222 -v "$work/certs:/etc/prosody/certs:ro,Z" \
  -e PROSODY_VIRTUAL_HOSTS=chat.dev.localhost -e LOCAL=bot -e DOMAIN=chat.dev.localhost -e PASSWORD="$password" "$image")
trap 'podman rm -f "$container" >/dev/null 2>&1; rm -rf "$work"' EXIT
port=$(podman port "$container" 5222/tcp | sed 's/.*://')
export ConnectionStrings__bot="Host=127.0.0.1;Port=$port;Domain=chat.dev.localhost;Username=bot;Password=$password"
export Aspire__Prosody__Client__bot__TrustedCertificatesPath="$work/ca.crt"
timeout 120 dotnet run --no-build > "$work/run.log" 2>&1 || :
if grep -q "received its own message" "$work/run.log"; then
  echo "newcomer: the worker signed in to Prosody, validated its certificate and got its own message back"
else
  echo "newcomer: the worker did not get its message back:" >&2
  cat "$work/run.log" >&2
  podman logs "$container" 2>&1 | tail -n 20 >&2
  exit 1
fi
