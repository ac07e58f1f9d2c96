using System.Text;

namespace Harness.Chaos.Campaigns;

/// <summary>
/// Spoiled <c>multipart/form-data</c> uploads of an image in the field <c>file</c> (Portaly's logo and plan images):
/// the well-formed upload, then one thing wrong — cut short inside a section, a boundary past the reader's 70
/// characters or missing, no file, an empty or non-image file, two files, odd part headers. Seeded like
/// <see cref="MalformedInputs"/>; the path is filled as it fills it.
/// </summary>
public static class Uploads
{
    private const string Boundary = "chaosBoundary";
    private static readonly byte[] Png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4];

    public static FuzzCase Case(Operation operation, int seed, int index)
    {
        var random = new Random(MalformedInputs.StableHash($"upload|{seed}|{operation.Method}|{operation.Path}|{index}"));
        var path = MalformedInputs.Case(operation with { BodySample = null }, seed, index).PathAndQuery;
        var type = "multipart/form-data; boundary=" + Boundary;
        FuzzCase Sent(byte[] body, string what, string? contentType = null) => new(operation.Method, path, body, contentType ?? type, what);
        var whole = Body(Part("file", "logo.png", Png));
        return random.Next(10) switch
        {
            0 => Sent(whole, "a well-formed PNG upload"),
            1 => Sent(whole[..random.Next(whole.Length)], "a multipart body cut short"),
            2 => Sent(whole, "a boundary over 70 characters", "multipart/form-data; boundary=" + new string('b', 71 + random.Next(200))),
            3 => Sent(whole, "a multipart type without a boundary", "multipart/form-data"),
            4 => Sent(Body(Part("other", "logo.png", Png)), "no file field"),
            5 => Sent(Body(Part("file", "logo.png", [])), "an empty file"),
            6 => Sent(Body(Part("file", "logo.svg", Encoding.UTF8.GetBytes(MalformedInputs.Pick(random)))), "a file that is no image"),
            7 => Sent(Body([.. Part("file", "a.png", Png), .. Part("file", "b.png", Png)]), "two files"),
            8 => Sent(Body(Part("file", new string('n', 5000) + "\u0000.png", Png)), "a file name of 5,000 characters with a NUL"),
            _ => Sent(Body([.. Encoding.UTF8.GetBytes($"--{Boundary}\r\nContent-Disposition: {MalformedInputs.Pick(random)}\r\n\r\n"), .. Png, .. "\r\n"u8]), "odd part headers"),
        };
    }

    private static byte[] Part(string field, string fileName, byte[] content) =>
        [.. Encoding.UTF8.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{fileName}\"\r\nContent-Type: application/octet-stream\r\n\r\n"), .. content, .. "\r\n"u8];

    private static byte[] Body(byte[] parts) => [.. parts, .. Encoding.ASCII.GetBytes($"--{Boundary}--\r\n")];
}
