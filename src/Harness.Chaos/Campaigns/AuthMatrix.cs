using System.Text;
using Harness.Chaos.Reports;

namespace Harness.Chaos.Campaigns;

/// <summary>A credential to try on protected routes, and the refusal it must get (with its message, where the surface documents one).</summary>
public sealed record AuthAttempt(string Credential, int Expected, Action<HttpRequestMessage> Apply, Func<Operation, bool> AppliesTo, string? Message = null);

/// <summary>What the auth matrix needs to know of a surface: its routes, which are open, what to try on the others, and its envelope.</summary>
public interface IAuthSurface
{
    string Name { get; }

    HttpClient Http { get; }

    /// <summary>The paths the surface's document leaves open (sign-in, health, signed callbacks); every other one is protected.</summary>
    IReadOnlySet<string> PublicPaths { get; }

    /// <summary>The credentials to try; may make users of the campaign's own.</summary>
    Task<IReadOnlyList<AuthAttempt>> AttemptsAsync(CancellationToken cancellationToken);

    Uri PathOf(Operation route);

    string BodyOf(Operation route);

    /// <summary>Null when a refusal is in the surface's envelope, else what is wrong.</summary>
    string? Shape(HttpResponseMessage response, string body);
}

/// <summary>
/// Every protected route of a surface's OpenAPI document with each of the surface's wrong credentials: each must be
/// refused with the documented status (and message), in the surface's envelope.
/// </summary>
public sealed class AuthMatrix(IAuthSurface surface)
{
    public async Task<(AuthFigures Figures, IReadOnlyList<Finding> Findings)> RunAsync(TextWriter log, CancellationToken cancellationToken)
    {
        var routes = (await OpenApiOperations.ReadAsync(surface.Http, cancellationToken)).Where(o => !surface.PublicPaths.Contains(o.Path)).ToList();
        var attempts = await surface.AttemptsAsync(cancellationToken);
        var findings = new List<Finding>();
        var checks = 0;
        foreach (var route in routes)
        {
            foreach (var attempt in attempts.Where(a => a.AppliesTo(route)))
            {
                checks++;
                using var request = new HttpRequestMessage(new HttpMethod(route.Method), surface.PathOf(route));
                if (route.BodySample is not null)
                {
                    request.Content = new StringContent(surface.BodyOf(route), Encoding.UTF8, "application/json");
                }

                attempt.Apply(request);
                using var response = await surface.Http.SendAsync(request, cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                var status = (int)response.StatusCode;
                var problem = status != attempt.Expected ? $"answered {status}, expected {attempt.Expected}"
                    : surface.Shape(response, body) ?? WrongMessage(attempt, body);
                if (problem is not null)
                {
                    findings.Add(new Finding("auth", $"{surface.Name}: {attempt.Credential} credential", route.ToString(), $"{problem}: {body}"));
                }
            }
        }

        log.WriteLine($"auth matrix ({surface.Name}): {routes.Count} protected routes, {checks} checks, {findings.Count} unexpected answers");
        return (new AuthFigures(surface.Name, routes.Count, checks, findings.Count), findings);
    }

    private static string? WrongMessage(AuthAttempt attempt, string body)
    {
        if (attempt.Message is null)
        {
            return null;
        }

        var message = AnswerShapes.ObjectOf(body)?["message"]?.ToString();
        return message == attempt.Message ? null : $"message \"{message}\", expected \"{attempt.Message}\"";
    }
}
