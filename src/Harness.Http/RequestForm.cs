using Microsoft.AspNetCore.Http;

namespace Harness.Http;

/// <summary>
/// Reads a request's form the way minimal APIs' form binding does. A body that is no readable form — multipart
/// without a usable boundary or cut short, more than 1,024 fields, a key over 2,048 characters, a NUL in a value —
/// is the client's mistake, never an unhandled exception and a 500.
/// </summary>
public static class RequestForm
{
    /// <summary>The form; an unreadable one becomes the framework's 400, which ApiErrorMiddleware answers in the listener's error shape.</summary>
    public static async Task<IFormCollection> ReadAsync(HttpRequest request)
    {
        var aborted = request.HttpContext.RequestAborted;
        try
        {
            return await request.ReadFormAsync(aborted);
        }
        catch (InvalidDataException ex)
        {
            throw new BadHttpRequestException("request body is not a readable form: " + ex.Message, StatusCodes.Status400BadRequest, ex);
        }
        catch (IOException ex) when (ex is not BadHttpRequestException)
        {
            // Not the server's own refusal (a body too large, say, which passes as it is): either the client went
            // away, or the multipart reader ran out of a body that did arrive whole, before its closing boundary.
            throw aborted.IsCancellationRequested
                ? new OperationCanceledException("The client went away while sending the form.", ex, aborted)
                : new BadHttpRequestException("request body ends inside a multipart section", StatusCodes.Status400BadRequest, ex);
        }
    }

    /// <summary>The form, or null when the body is not one or cannot be read (for pages that answer with a page of their own).</summary>
    public static async Task<IFormCollection?> TryReadAsync(HttpRequest request)
    {
        if (!request.HasFormContentType)
        {
            return null;
        }

        try
        {
            return await ReadAsync(request);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status400BadRequest && ex.InnerException is InvalidDataException or IOException)
        {
            return null;
        }
    }
}
