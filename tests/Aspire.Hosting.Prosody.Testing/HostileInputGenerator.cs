// Compiled into both test projects (linked from tests/Shared): the unit tests feed its inputs through the builder
// methods in process; the functional tests evaluate the accepted ones with the images' Lua, shell and prosodyctl.
using System.Globalization;
using System.Net;
using System.Text;

namespace Aspire.Hosting.Prosody.HostileInput;

/// <summary>The kind of value a builder method takes, which decides what a well-formed one looks like.</summary>
internal enum ValueKind
{
    Domain,
    Label,
    UserName,
    ModuleName,
    Rate,
    FileName,
    Address,
    Network,
    ResourceName,
    LuaText,
}

/// <summary>
/// Seeded, reproducible inputs: a fixed corpus of classic attacks, then random values of four sorts (well-formed for
/// the kind, well-formed with one hostile change, pure hostile sequences, very long strings). Hostile pieces are
/// quotes, backslashes, Lua long brackets and comments, newlines, NUL and other control characters, non-ASCII (including
/// characters whose case mapping leaves ASCII, right-to-left overrides and lone surrogates), shell syntax and the
/// separators the image's environment lists use.
/// </summary>
internal sealed class HostileInputGenerator(int seed)
{
    public const int DefaultSeed = 20261125;

    /// <summary>Random values per method argument, besides the fixed corpus; the unit and functional tests use the same.</summary>
    public const int RandomInputsPerMethod = 400;

    private static readonly string[] Atoms =
    [
        "\"", "'", "\\", "\\\"", "]]", "[[", "[==[", "]==]", "[=[", "]=]", "--", "--[[", "\n", "\r", "\r\n", "\0", "\t", "\v", "\f",
        "\u0001", "\u001b", "\u007f", "\u0085", "\u00a0", "\u2028", "\u2029", "\u202e", "\u200b", "\ufeff", "\u00e9", "\u00df", "\u0130",
        "\u0131", "\u212a", "\ufb00", "\U0001d11e", "\ud800", "\udc00", "\uffff", "$(id)", "`id`", "${IFS}", "$HOME", ";", "|", "&", ">",
        "<", "*", "?", "~", "#", "!", "%", "%s", "%00", ",", ":", "/", "@", ".", "..", "-", "_", "+", "=", " ", "{", "}", "(", ")",
        "ENV_PROSODY_SQL_PASSWORD", "os.exit(1)", "Include \"/etc/passwd\"", "Component \"evil\"", "\\z", "\\065", "\\u{41}", "\\x41",
        "]]>", "<!--", "&amp;", "\\n", "0", "9", "a", "z", "A", "Z",
    ];

    private static readonly string[] CommonClassics =
    [
        "", " ", "\0", "a\0b", "\n", "x\ny", "\"", "\\", "]]", "[==[", "]==]", "x\"; os.exit() --", "\" .. os.execute(\"id\") .. \"",
        "]] os.exit() --[[", "\\\"", "$(id)", "`id`", "a,b", "a:b", "a b", "\u00e9", "\U0001d11e", "\ud800", "\u202e", "\u212a",
        "x\r\nInclude \"/etc/passwd\"", new string('a', 100_000), string.Concat(Enumerable.Repeat("]]\"\\\n", 5_000)),
    ];

    private readonly Random _random = new(seed);

    /// <summary>
    /// The generator for one method's argument: seeded from <see cref="DefaultSeed"/> and the names, so each method gets
    /// the same inputs whichever test asks and in whatever order.
    /// </summary>
    public static HostileInputGenerator For(string method, string parameter, int seed = DefaultSeed)
    {
        var hash = 17;
        foreach (var c in $"{method}({parameter})")
        {
            hash = unchecked((hash * 31) + c);
        }

        return new(seed ^ hash);
    }

    /// <summary>The fixed corpus for <paramref name="kind"/>, then <paramref name="count"/> random values, without repeats.</summary>
    public IReadOnlyList<string> Strings(ValueKind kind, int count)
    {
        var values = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in CommonClassics.Concat(Classics(kind)))
        {
            if (seen.Add(value))
            {
                values.Add(value);
            }
        }

        for (var attempts = 0; values.Count < count + CommonClassics.Length && attempts < count * 20; attempts++)
        {
            var value = _random.Next(100) switch
            {
                < 30 => Valid(kind),
                < 60 => Mutate(Valid(kind)),
                < 85 => Hostile(),
                < 92 => Long(kind),
                _ => NearlyValid(kind),
            };
            if (seen.Add(value))
            {
                values.Add(value);
            }
        }

        return values;
    }

    /// <summary>Integers around every boundary a count, size or port has, and random ones.</summary>
    public IReadOnlyList<int> Integers(int count)
    {
        int[] edges = [int.MinValue, -65536, -1, 0, 1, 2, 7, 1000, 1001, 1023, 1024, 36500, 36501, 65535, 65536, 1024 * 1024, 1024 * 1024 + 1, int.MaxValue];
        var values = new List<int>(edges);
        while (values.Count < count + edges.Length)
        {
            values.Add(_random.Next(4) switch
            {
                0 => _random.Next(-100, 100),
                1 => _random.Next(1, 70_000),
                2 => _random.Next(),
                _ => -_random.Next(),
            });
        }

        return values.Distinct().ToList();
    }

    private static IEnumerable<string> Classics(ValueKind kind) => kind switch
    {
        ValueKind.Domain =>
        [
            "chat.dev.localhost", "chat.dev.localhost.", "Chat.localhost", ".chat", "chat..localhost", "-chat.localhost", "chat-.localhost",
            "xn--bcher-kva.example", "localhost", "a", new string('a', 63) + ".b", new string('a', 64) + ".b",
            string.Join('.', Enumerable.Repeat(new string('a', 63), 4))[..253], string.Join('.', Enumerable.Repeat(new string('a', 63), 4))[..254],
            "chat.dev.localhost\n", "chat.dev.localhost\0", "ch\u0430t.localhost", "chat.dev.localhost,evil.example", "chat.dev.localhost:muc",
        ],
        ValueKind.Label => ["conference", "a", "0", new string('a', 63), new string('a', 64), "-a", "a-", "a.b", "A", "a_b", "a\n"],
        ValueKind.UserName =>
        [
            "alice", "a", "0", "a.b+c_d-e", new string('a', 64), new string('a', 65), ".alice", "Alice", "alice@chat.dev.localhost", "alice/phone",
            "al ice", "al:ice", "alice\n", "\u0130", "\u212a", "admin",
        ],
        ValueKind.ModuleName => ["mam", "http_openmetrics", "a-b", new string('a', 64), new string('a', 65), "mod_mam.lua", "mam,carbons", "Mam", "_mam", "mam\n"],
        ValueKind.Rate => ["10kb/s", "0b/s", "1 mb/s", "999999999999gb/s", "9999999999999gb/s", "10kb/s\n", "1e3kb/s", "10  kb/s", "10kb/s;", "-1kb/s", "10kb", "10xb/s", "10KB/s"],
        ValueKind.FileName => ["prosody.sqlite", "a", ".", "..", "...", new string('a', 128), new string('a', 129), "../etc/passwd", "a/b", "a b", "-rf", ".hidden"],
        ValueKind.Address =>
        [
            "127.0.0.1", "203.0.113.7", "::1", "2001:db8::7", "turn.example.com", "1", "127.1", "0x7f.1", "4294967295", "[::1]", "::ffff:1.2.3.4",
            "fe80::1%eth0", "fe80::1%2", "::1%`id`", "fe80::1%$(id)", "::1%;reboot", "::1%\n", "::1% x", "::1%'", "1.2.3.4 ", " 1.2.3.4",
            "TURN.example.com", "turn.example.com.",
        ],
        ValueKind.Network =>
        [
            "10.0.0.0/8", "0.0.0.0/0", "::/0", "10.0.0.1/8", "10.0.0.0/33", "10.0.0.0", "fd00::/8", "fd00::1/8", "10.0.0.0/08", "10.0.0.0/8\n",
            "10.0.0.0/ 8", "::ffff:10.0.0.0/104", "fe80::%eth0/64", "10.0.0.0/8,0.0.0.0/0",
        ],
        ValueKind.ResourceName => ["chat", "a", "a-b", "a--b", "-a", "a-", "1a", new string('a', 64), new string('a', 65), "A", "\u212a", "a_b"],
        ValueKind.LuaText => ["x = 1", "c2s_timeout = 300", "-- a comment", "]]", "x = \"unterminated"],
        _ => [],
    };

    private string Valid(ValueKind kind) => kind switch
    {
        ValueKind.Domain => ValidDomain(),
        ValueKind.Label => ValidLabel(),
        ValueKind.UserName => Pick("abcdefghijklmnopqrstuvwxyz0123456789") + RandomText("abcdefghijklmnopqrstuvwxyz0123456789._+-", Length(0, 63)),
        ValueKind.ModuleName => Pick("abcdefghijklmnopqrstuvwxyz0123456789") + RandomText("abcdefghijklmnopqrstuvwxyz0123456789_-", Length(0, 63)),
        ValueKind.Rate => RandomText("0123456789", Length(1, 12)) + (_random.Next(2) == 0 ? " " : "") + Pick(["b", "kb", "mb", "gb", "B", "KB", "Mb", "G"]) + "/s",
        ValueKind.FileName => RandomText("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-", Length(1, 128)),
        ValueKind.Address => _random.Next(4) switch
        {
            0 => new IPAddress(_random.NextInt64(0, 1L << 32)).ToString(),
            1 => new IPAddress(Bytes(16)).ToString(),
            2 => ValidDomain(),
            _ => Pick(["1", "127.1", "0x7f.1", "[::1]", "::ffff:1.2.3.4", "fe80::1%eth0", "fe80::1%2", "010.0.0.1", "::1%", "fe80::1%lo"]),
        },
        ValueKind.Network => ValidNetwork(),
        ValueKind.ResourceName => Pick("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") + string.Join("-", Enumerable.Range(0, _random.Next(1, 4)).Select(_ => RandomText("abcdefghijklmnopqrstuvwxyz0123456789", Length(1, 15)))),
        _ => "x = " + _random.Next(1000).ToString(CultureInfo.InvariantCulture),
    };

    private string ValidLabel()
    {
        var length = Length(1, 63);
        if (length == 1)
        {
            return Pick("abcdefghijklmnopqrstuvwxyz0123456789");
        }

        return Pick("abcdefghijklmnopqrstuvwxyz0123456789") + RandomText("abcdefghijklmnopqrstuvwxyz0123456789-", length - 2) + Pick("abcdefghijklmnopqrstuvwxyz0123456789");
    }

    private string ValidDomain()
    {
        var domain = string.Join('.', Enumerable.Range(0, _random.Next(1, 5)).Select(_ => ValidLabel()));
        return domain.Length > 253 ? domain[..253].TrimEnd('.', '-') : domain;
    }

    private string ValidNetwork()
    {
        var v6 = _random.Next(3) == 0;
        var bytes = Bytes(v6 ? 16 : 4);
        var prefix = _random.Next(v6 ? 129 : 33);
        for (var bit = prefix; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        var network = $"{new IPAddress(bytes)}/{prefix.ToString(CultureInfo.InvariantCulture)}";
        // Now and then leave host bits set, which a CIDR with its host bits zero must not have.
        return _random.Next(6) == 0 && prefix < bytes.Length * 8 ? $"{new IPAddress(Bytes(bytes.Length))}/{prefix.ToString(CultureInfo.InvariantCulture)}" : network;
    }

    private string NearlyValid(ValueKind kind)
    {
        var valid = Valid(kind);
        return _random.Next(6) switch
        {
            0 => valid.ToUpperInvariant(),
            1 => valid + ".",
            2 => "-" + valid,
            3 => valid + valid,
            4 => valid.Replace('.', ',').Replace('-', '_'),
            _ => valid + "\n",
        };
    }

    private string Mutate(string valid)
    {
        var position = _random.Next(valid.Length + 1);
        return _random.Next(6) switch
        {
            0 => valid.Insert(position, Atom()),
            1 when valid.Length > 0 => valid.Remove(Math.Min(position, valid.Length - 1), 1).Insert(Math.Min(position, valid.Length - 1), Atom()),
            2 when valid.Length > 0 => valid.Remove(Math.Min(position, valid.Length - 1), 1).Insert(Math.Min(position, valid.Length - 1), char.ToUpperInvariant(valid[Math.Min(position, valid.Length - 1)]).ToString()),
            3 => valid + Atom(),
            4 => Atom() + valid,
            _ => valid + "%" + Atom() + Atom(),
        };
    }

    private string Hostile() => string.Concat(Enumerable.Range(0, _random.Next(1, 9)).Select(_ => Atom()));

    private string Long(ValueKind kind)
    {
        var piece = _random.Next(2) == 0 ? Valid(kind) : Hostile();
        var target = _random.Next(3) switch { 0 => 255, 1 => _random.Next(1_000, 10_000), _ => _random.Next(10_000, 70_000) };
        var builder = new StringBuilder();
        while (builder.Length < target)
        {
            builder.Append(piece);
        }

        return builder.ToString();
    }

    private string Atom() => Atoms[_random.Next(Atoms.Length)];

    private string Pick(string characters) => characters[_random.Next(characters.Length)].ToString();

    private string Pick(string[] values) => values[_random.Next(values.Length)];

    private string RandomText(string characters, int length) => string.Concat(Enumerable.Range(0, length).Select(_ => characters[_random.Next(characters.Length)]));

    /// <summary>A length in [min, max], with the boundaries (and one past the maximum) drawn often.</summary>
    private int Length(int min, int max) => _random.Next(8) switch
    {
        0 => min,
        1 => max,
        2 => max + 1,
        _ => _random.Next(min, Math.Min(max, min + 20) + 1),
    };

    private byte[] Bytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }
}
