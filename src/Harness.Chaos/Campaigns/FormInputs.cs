using System.Text;

namespace Harness.Chaos.Campaigns;

/// <summary>
/// Malformed form-encoded requests (Stripe, Epay): the operation's well-formed fields with one of them
/// spoiled, odd keys, or a body that is no readable form. Seeded like <see cref="MalformedInputs"/>.
/// </summary>
public static class FormInputs
{
    public const string FormType = "application/x-www-form-urlencoded";

    public static FuzzCase Case(Operation operation, int seed, int index)
    {
        if (operation.BodySample is not { } sample)
        {
            return MalformedInputs.Case(operation, seed, index);
        }

        var random = new Random(MalformedInputs.StableHash($"form|{seed}|{operation.Method}|{operation.Path}|{index}"));
        var fields = sample.Select(f => (f.Key, Value: f.Value?.GetValue<string>() ?? "")).ToList();
        var target = fields.Count == 0 ? 0 : random.Next(fields.Count);
        string What(string change) => fields.Count == 0 ? change : $"{fields[target].Key} {change}";
        switch (random.Next(10))
        {
            case 0:
                return Sent(fields, "the documented fields");
            case 1:
                fields[target] = (fields[target].Key, MalformedInputs.Pick(random));
                return Sent(fields, What("= " + Shorten(fields[target].Value)));
            case 2:
                fields[target] = (fields[target].Key, "a\u0000b\u0001");
                return Sent(fields, What("with NUL and control characters"));
            case 3:
                fields.Add((string.Concat(Enumerable.Repeat("[a]", 20 + random.Next(100))).Insert(0, "deep"), "x"));
                return Sent(fields, "a key nested in brackets");
            case 4:
                fields.Add((new string('k', 2100 + random.Next(2000)), "x"));
                return Sent(fields, "a key over 2,048 characters");
            case 5:
                fields.AddRange(Enumerable.Range(0, 1030).Select(i => ($"extra{i}", "x")));
                return Sent(fields, "more than 1,024 fields");
            case 6:
                return Raw(Encoding.ASCII.GetBytes(Encode(fields) + "&bad=%FF%FE%C3%28"), FormType, "invalid UTF-8 percent-escapes");
            case 7:
                var text = Encode(fields);
                return Raw(Encoding.ASCII.GetBytes(text), "multipart/form-data" + (random.Next(2) == 0 ? "" : "; boundary=" + new string('b', 80)), "a multipart type with no usable boundary");
            case 8:
                fields[target] = (fields[target].Key, random.Next(2) == 0 ? "9223372036854775807" : "-1");
                return Sent(fields, What("= " + fields[target].Value));
            default:
                return Raw(Encoding.ASCII.GetBytes(Encode(fields)[..random.Next(Math.Max(1, Encode(fields).Length))]), FormType, "a form cut short");
        }

        FuzzCase Sent(List<(string Key, string Value)> values, string what) => Raw(Encoding.UTF8.GetBytes(Encode(values)), FormType, what);

        FuzzCase Raw(byte[] body, string contentType, string what) => new(operation.Method, operation.Path, body, contentType, what);
    }

    private static string Encode(IEnumerable<(string Key, string Value)> fields) =>
        string.Join('&', fields.Select(f => Uri.EscapeDataString(f.Key) + "=" + Uri.EscapeDataString(f.Value)));

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
