namespace Harness.Http;

/// <summary>
/// Exceptions that are an answer rather than a bug, e.g. a store that is briefly unavailable: each is
/// logged and answered with its kind and message instead of a 500. Registered by the app, so shared
/// mechanisms need not know one another's exceptions.
/// </summary>
public sealed class ApiErrorOptions
{
    private readonly List<(Type Exception, ApiErrorKind Kind, string Message)> _answers = [];

    public ApiErrorOptions Answer<TException>(ApiErrorKind kind, string message)
        where TException : Exception
    {
        _answers.Add((typeof(TException), kind, message));
        return this;
    }

    internal (ApiErrorKind Kind, string Message)? Answer(Exception exception)
    {
        foreach (var (type, kind, message) in _answers)
        {
            if (type.IsInstanceOfType(exception))
            {
                return (kind, message);
            }
        }

        return null;
    }
}
