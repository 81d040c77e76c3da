using System.Globalization;
using System.Text;

namespace Aspire.Hosting.Prosody.Tests;

/// <summary>
/// Reads one Lua short string literal (<c>"…"</c> or <c>'…'</c>) into the bytes Lua 5.4 makes of it, following the
/// manual's lexical rules (§3.1): the in-process oracle of the hostile-input tests. The functional twin asks the real
/// interpreter in the Prosody image instead.
/// </summary>
internal static class LuaLiteral
{
    public static byte[] Decode(string literal)
    {
        var source = Encoding.UTF8.GetBytes(literal);
        if (source.Length < 2 || source[0] is not ((byte)'"' or (byte)'\'') || source[^1] != source[0])
        {
            throw new FormatException("Not a quoted literal.");
        }

        var quote = source[0];
        var bytes = new List<byte>();
        for (var i = 1; i < source.Length - 1; i++)
        {
            var b = source[i];
            if (b == quote)
            {
                throw new FormatException($"The literal ends at byte {i}, before its last byte.");
            }

            if (b is (byte)'\n' or (byte)'\r')
            {
                throw new FormatException("Unfinished string: a line break inside a short literal.");
            }

            if (b != (byte)'\\')
            {
                bytes.Add(b);
                continue;
            }

            if (++i >= source.Length - 1)
            {
                throw new FormatException("A backslash escapes the closing quote.");
            }

            var e = source[i];
            switch ((char)e)
            {
                case 'a': bytes.Add(7); break;
                case 'b': bytes.Add(8); break;
                case 'f': bytes.Add(12); break;
                case 'n': bytes.Add(10); break;
                case 'r': bytes.Add(13); break;
                case 't': bytes.Add(9); break;
                case 'v': bytes.Add(11); break;
                case '\\': bytes.Add((byte)'\\'); break;
                case '"': bytes.Add((byte)'"'); break;
                case '\'': bytes.Add((byte)'\''); break;
                case '\n' or '\r': bytes.Add(10); break;
                case 'z':
                    while (i + 1 < source.Length - 1 && source[i + 1] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 11 or 12)
                    {
                        i++;
                    }

                    break;
                case 'x':
                    if (i + 2 >= source.Length - 1 || !byte.TryParse(Encoding.ASCII.GetString(source, i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
                    {
                        throw new FormatException("\\x needs two hexadecimal digits.");
                    }

                    bytes.Add(hex);
                    i += 2;
                    break;
                case 'u':
                    var close = Array.IndexOf(source, (byte)'}', i);
                    if (i + 1 >= source.Length || source[i + 1] != (byte)'{' || close < 0
                        || !int.TryParse(Encoding.ASCII.GetString(source, i + 2, close - i - 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var codePoint))
                    {
                        throw new FormatException("\\u needs {hexadecimal digits}.");
                    }

                    bytes.AddRange(Encoding.UTF8.GetBytes(char.ConvertFromUtf32(codePoint)));
                    i = close;
                    break;
                case >= '0' and <= '9':
                    var digits = 1;
                    while (digits < 3 && i + digits < source.Length - 1 && source[i + digits] is >= (byte)'0' and <= (byte)'9')
                    {
                        digits++;
                    }

                    var value = int.Parse(Encoding.ASCII.GetString(source, i, digits), CultureInfo.InvariantCulture);
                    if (value > 255)
                    {
                        throw new FormatException("Decimal escape too large.");
                    }

                    bytes.Add((byte)value);
                    i += digits - 1;
                    break;
                default:
                    throw new FormatException($"Invalid escape sequence \\{(char)e}.");
            }
        }

        return [.. bytes];
    }
}
