using System.Text.RegularExpressions;

namespace Harness.Architecture.Tests;

/// <summary>
/// The guides link to each other's sections heavily (the sandbox's provider pages, the coverage matrix, the performance
/// tables): every relative link in README.md and docs/ must name a file that exists and, on a Markdown page, a heading
/// or an <c>&lt;a id&gt;</c> anchor it has, with anchors made as GitHub makes them.
/// </summary>
public sealed partial class DocumentationLinkTests
{
    [Fact]
    public void Every_relative_link_in_the_guides_reaches_its_file_and_section()
    {
        var root = Product.Root.FullName;
        var pages = Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories).Prepend(Path.Combine(root, "README.md"));
        var broken = pages.SelectMany(page => BrokenLinks(page, File.ReadAllText(page), File.Exists, File.ReadAllText))
            .Select(problem => Path.GetRelativePath(root, problem))
            .ToList();
        Assert.True(broken.Count == 0, "broken links:\n" + string.Join("\n", broken));
    }

    [Fact]
    public void The_check_finds_a_missing_file_and_a_missing_section()
    {
        const string page = "/guide/a.md";
        var files = new Dictionary<string, string>
        {
            [page] = "# Title\n\n## Setting it up\n\n<a id=\"kept\"></a>**Kept.**\n\n```sh\n## not a heading\n```\n",
            ["/guide/b.md"] = "## Other page's section\n",
        };
        var text = files[page] + "[ok](#setting-it-up) [ok](#kept) [ok](b.md#other-pages-section) [web](https://example.com/x#y)\n"
            + "[gone](c.md) [no section](b.md#nowhere) [code is no heading](#not-a-heading)\n";

        var broken = BrokenLinks(page, text, files.ContainsKey, path => files[path]);

        Assert.Equal(
        [
            $"{page}:11: c.md (no such file)",
            $"{page}:11: b.md#nowhere (no such section)",
            $"{page}:11: #not-a-heading (no such section)",
        ], broken);
    }

    /// <summary>Each link of <paramref name="text"/> (the page at <paramref name="page"/>) that goes nowhere, as "page:line: link (why)".</summary>
    private static IEnumerable<string> BrokenLinks(string page, string text, Func<string, bool> exists, Func<string, string> read)
    {
        var anchors = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (line, number) in OutsideCode(text))
        {
            foreach (Match link in Link().Matches(line))
            {
                var target = link.Groups[1].Value;
                if (Scheme().IsMatch(target))
                {
                    continue;
                }

                var hash = target.IndexOf('#', StringComparison.Ordinal);
                var file = hash < 0 ? target : target[..hash];
                var path = file.Length == 0 ? page : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, file));
                if (!exists(path) && !Directory.Exists(path))
                {
                    yield return $"{page}:{number}: {target} (no such file)";
                }
                else if (hash >= 0 && path.EndsWith(".md", StringComparison.Ordinal)
                    && !(anchors.TryGetValue(path, out var known) ? known : anchors[path] = Anchors(path == page ? text : read(path))).Contains(target[(hash + 1)..]))
                {
                    yield return $"{page}:{number}: {target} (no such section)";
                }
            }
        }
    }

    /// <summary>A page's anchors: its headings as GitHub makes them (lower case, punctuation dropped, spaces to hyphens, "-1" for a repeat) and its explicit ids.</summary>
    private static HashSet<string> Anchors(string text)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (line, _) in OutsideCode(text))
        {
            if (Heading().Match(line) is { Success: true } heading)
            {
                var slug = NotSlug().Replace(heading.Groups[1].Value.Trim().ToLowerInvariant(), "").Replace(' ', '-');
                var repeat = seen.GetValueOrDefault(slug);
                seen[slug] = repeat + 1;
                anchors.Add(repeat == 0 ? slug : $"{slug}-{repeat}");
            }

            anchors.UnionWith(IdAnchor().Matches(line).Select(m => m.Groups[1].Value));
        }

        return anchors;
    }

    /// <summary>The lines of a page outside fenced code blocks, numbered from 1.</summary>
    private static IEnumerable<(string Line, int Number)> OutsideCode(string text)
    {
        var fenced = false;
        var number = 0;
        foreach (var line in text.Split('\n'))
        {
            number++;
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
            }
            else if (!fenced)
            {
                yield return (line, number);
            }
        }
    }

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex("^[a-z]+:")]
    private static partial Regex Scheme();

    [GeneratedRegex("^#{1,6} (.*)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\p{L}\p{N}_\- ]")]
    private static partial Regex NotSlug();

    [GeneratedRegex("<a id=\"([^\"]+)\"></a>")]
    private static partial Regex IdAnchor();
}
