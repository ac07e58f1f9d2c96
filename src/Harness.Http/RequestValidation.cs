using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Http;

/// <summary>
/// Collects the first problem of a request, in the order its fields are checked: that one is what the
/// client is told. A surface words its field rules as extension methods over it.
/// </summary>
public sealed class Validator
{
    /// <summary>The first problem found; null while the request is valid.</summary>
    public string? Problem { get; private set; }

    public bool IsValid => Problem is null;

    /// <summary>Records <paramref name="problem"/> unless an earlier one was recorded.</summary>
    public Validator Check(string? problem)
    {
        Problem ??= problem;
        return this;
    }

    public Validator Require(bool condition, string problem) => condition ? this : Check(problem);
}

/// <summary>A request body that states its own rules; <see cref="RequestValidation"/> checks it before the handler runs.</summary>
public interface IValidatable
{
    void Validate(Validator validator);
}

/// <summary>
/// The one way requests are validated: every handler parameter that is <see cref="IValidatable"/> is
/// checked before the handler runs, and the first problem is refused (400) in the app's envelope. Bodies
/// read by <see cref="JsonRequestBody{T}"/> (the hot path) run their rules as they are read.
/// </summary>
public static class RequestValidation
{
    /// <summary>Validates the <see cref="IValidatable"/> parameters of every endpoint in the group.</summary>
    public static TBuilder ValidateRequests<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilterFactory((context, next) =>
        {
            var checkedArguments = context.MethodInfo.GetParameters()
                .Select((parameter, index) => (parameter, index))
                .Where(p => typeof(IValidatable).IsAssignableFrom(p.parameter.ParameterType))
                .Select(p => p.index)
                .ToArray();
            if (checkedArguments.Length == 0)
            {
                return next;
            }

            return invocation =>
            {
                foreach (var index in checkedArguments)
                {
                    if (invocation.Arguments[index] is IValidatable request && Check(request.Validate) is { } problem)
                    {
                        return ValueTask.FromResult<object?>(new Refusal<Refused.Validation>(problem));
                    }
                }

                return next(invocation);
            };
        });
        builder.Add(endpoint =>
        {
            if (TakesValidatable(endpoint))
            {
                endpoint.AddRefusal(ApiErrorKind.Validation);
            }
        });
        return builder;
    }

    /// <summary>Runs <paramref name="rules"/>; the first problem, or null.</summary>
    public static string? Check(Action<Validator> rules)
    {
        var validator = new Validator();
        rules(validator);
        return validator.Problem;
    }

    private static bool TakesValidatable(EndpointBuilder endpoint) =>
        endpoint.Metadata.OfType<MethodInfo>().FirstOrDefault()?.GetParameters()
            .Any(p => typeof(IValidatable).IsAssignableFrom(p.ParameterType)) == true;
}
