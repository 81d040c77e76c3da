using System.Globalization;

namespace Aspire.Hosting.Prosody.Turn;

/// <summary>
/// Where the coturn container is wired: the shell command it runs. The image's entrypoint passes every argument
/// through <c>eval</c>, and a command line is visible to anyone who can list processes or inspect the container,
/// so the shared secret travels in an environment variable and a shell writes it to a private configuration
/// file before it starts turnserver.
/// </summary>
internal static class CoturnCommandLine
{
    public const string SecretVariable = "TURN_SECRET";

    /// <summary>Carries the external address when a deployment supplies it as a parameter.</summary>
    public const string ExternalAddressVariable = "TURN_EXTERNAL_IP";
    public const int ListeningPort = 3478;

    /// <summary>
    /// POSIX shell functions that accept exactly an IPv4 address (four decimal octets up to 255, no leading zeros)
    /// or an IPv6 address (hex groups of up to four digits, eight of them or fewer with one "::", an IPv4 address
    /// last), and nothing the shell could split or expand: coturn would otherwise take "::::" and fail later.
    /// Each runs in a subshell, so the field splitting it sets up stays local.
    /// </summary>
    public const string IpCheck =
        "v4() ( case \"$1\" in ''|*[!0-9.]*|.*|*.|*..*) exit 1;; esac; IFS=.; set -f; set -- $1; [ $# -eq 4 ] || exit 1; " +
        "for o; do case \"$o\" in ????*|0?*) exit 1;; esac; [ \"$o\" -le 255 ] || exit 1; done );" +
        " v6() ( a=\"$1\"; case \"$a\" in ''|*[!0-9A-Fa-f:.]*|*:::*|*::*::*|:[!:]*|*[!:]:) exit 1;; esac;" +
        " case \"$a\" in *.*) v4 \"${a##*:}\" || exit 1; a=\"${a%:*}:0:0\";; esac;" +
        " case \"$a\" in *::*) c=7;; *) c=8;; esac; IFS=:; set -f; set -- $a; g=0;" +
        " for x; do case \"$x\" in '') ;; ?????*|*[!0-9A-Fa-f]*) exit 1;; *) g=$((g + 1));; esac; done;" +
        " if [ $c = 7 ]; then [ $g -le 7 ]; else [ $g -eq 8 ]; fi );" +
        " ip() { case \"$1\" in *:*) v6 \"$1\";; *) v4 \"$1\";; esac; };";

    public static string Script(CoturnResource turn, string realm, string? externalAddress)
    {
        var arguments = new List<string>
        {
            "-c /tmp/turnserver.conf",
            "--log-file=stdout",
            // The image runs coturn as nobody, who may not write the default pid file under /var/run.
            "--pidfile=/tmp/turnserver.pid",
            $"--listening-port={ListeningPort}",
            $"--min-port={turn.RelayPortMin.ToString(CultureInfo.InvariantCulture)}",
            $"--max-port={turn.RelayPortMax.ToString(CultureInfo.InvariantCulture)}",
            "--use-auth-secret",
            $"--realm={realm}",
            // Never the image's DNS-based external-IP detection: it fails offline and is wrong behind NAT.
            externalAddress is { } address ? $"--external-ip={address}"
                : turn.ExternalAddressParameter is not null ? $"--external-ip=${ExternalAddressVariable}" : null!,
            "--no-tls",
            "--no-dtls",
            "--no-cli",
            "--fingerprint",
            "--no-multicast-peers",
        };

        // The realm and address are validated DNS names or IP addresses, so nothing here needs shell quoting.
        // coturn 4.6.1 has no SIGTERM handler, so as PID 1 it would ignore a stop: the shell stays PID 1 and forwards it.
        // A deployment's address arrives at start, so the script itself refuses anything but IP address characters
        // (which also leaves nothing for the shell to split or expand in the unquoted option).
        var checkAddress = externalAddress is null && turn.ExternalAddressParameter is { } parameter
            ? $"{IpCheck} ip \"${ExternalAddressVariable}\" || {{ echo 'The TURN external address must be an IP address (the {parameter.Name} parameter), such as 203.0.113.7 or 2001:db8::7.' >&2; exit 64; }};"
            : null;
        return string.Join(' ', new[]
        {
            $"case \"${SecretVariable}\" in ''|*[!A-Za-z0-9]*) echo 'The TURN secret must be letters and digits only.' >&2; exit 64;; esac;",
            checkAddress,
            "umask 077;",
            $"printf 'static-auth-secret=%s\\n' \"${SecretVariable}\" > /tmp/turnserver.conf;",
            $"turnserver {string.Join(' ', arguments.Where(a => a is not null))} &",
            "pid=$!; trap 'kill -TERM $pid; wait $pid; exit 0' TERM INT; wait $pid",
        }.OfType<string>());
    }
}
