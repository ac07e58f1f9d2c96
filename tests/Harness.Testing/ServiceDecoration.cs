using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Harness.Testing;

public static class ServiceDecoration
{
    /// <summary>
    /// Wraps the registered singleton <typeparamref name="T"/> with <paramref name="decorate"/>. The original
    /// stays a (keyed) singleton of the container, so the container still disposes it.
    /// </summary>
    public static IServiceCollection Decorate<T>(this IServiceCollection services, Func<T, T> decorate)
        where T : class
    {
        var original = services.Last(d => d.ServiceType == typeof(T) && !d.IsKeyedService);
        var key = "decorated:" + Guid.NewGuid().ToString("N");
        services.Add(original switch
        {
            { ImplementationFactory: { } factory } => ServiceDescriptor.KeyedSingleton(typeof(T), key, (sp, _) => factory(sp)),
            { ImplementationInstance: { } instance } => ServiceDescriptor.KeyedSingleton(typeof(T), key, instance),
            _ => ServiceDescriptor.KeyedSingleton(typeof(T), key, original.ImplementationType!),
        });
        services.Replace(ServiceDescriptor.Singleton(sp => decorate(sp.GetRequiredKeyedService<T>(key))));
        return services;
    }
}
