using System.Globalization;
using System.Text;

namespace Aspire.Hosting.Prosody.Configuration;

/// <summary>
/// Writes values as Lua literals. Every string is a quoted literal in which each byte outside printable ASCII,
/// and every quote and backslash, is a decimal escape: no input can end the literal, open a long bracket or a
/// comment, or change meaning between Lua versions (Prosody 0.12 and 13.0 run on different ones).
/// </summary>
internal static class LuaSyntax
{
    public static string String(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is >= 0x20 and < 0x7f && b != (byte)'"' && b != (byte)'\\')
            {
                builder.Append((char)b);
            }
            else
            {
                // Three digits always, so a digit that follows is never read as part of the escape.
                builder.Append('\\').Append(b.ToString("000", CultureInfo.InvariantCulture));
            }
        }

        return builder.Append('"').ToString();
    }

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Boolean(bool value) => value ? "true" : "false";

    public static string StringList(IEnumerable<string> values) => "{ " + string.Join(", ", values.Select(String)) + " }";
}
