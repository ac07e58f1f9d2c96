using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// Reads a request body's fields by APIv3's rules and keeps the first refusal (PARAM_ERROR naming the field);
/// after a refusal every read returns an empty value, so a handler reads all its fields and then checks once.
/// An object inside an array (a 合单's <c>sub_orders[1]</c>) is read with that <paramref name="prefix"/> before its field names.
/// </summary>
public sealed class WeChatPayFields(JsonObject request, string prefix = "")
{
    public const long MaxFen = int.MaxValue;

    public IResult? Refusal { get; private set; }

    public string Text(string key, int maxLength)
    {
        var value = OptionalText(key, maxLength);
        if (value is null)
        {
            Refuse(WeChatPayErrors.Missing(prefix + key));
        }

        return value ?? "";
    }

    public string? OptionalText(string key, int maxLength) => OptionalText(request[key], key, maxLength);

    /// <summary>An optional string inside an optional object (<c>scene_info.device_id</c>); the object's own kind is checked with <see cref="OptionalKind"/>.</summary>
    public string? OptionalText(string parent, string key, int maxLength) =>
        request[parent] is JsonObject inner ? OptionalText(inner[key], $"{parent}.{key}", maxLength) : null;

    /// <summary>
    /// A string at a dotted path through nested objects (<c>scene_info.h5_info.type</c>): the first step that is
    /// absent is the missing field when <paramref name="required"/>, one that is no object a type error.
    /// </summary>
    public string? PathText(string path, int maxLength, bool required)
    {
        var steps = path.Split('.');
        JsonNode? node = request;
        for (var i = 0; i < steps.Length && Refusal is null; i++)
        {
            var at = string.Join('.', steps[..(i + 1)]);
            node = node![steps[i]];
            if (node is null)
            {
                return required ? Refuse(WeChatPayErrors.Missing(prefix + at)) : null;
            }

            if (i < steps.Length - 1 && node is not JsonObject)
            {
                return Refuse(WeChatPayErrors.Param(prefix + at, "类型错误：应为对象"));
            }
        }

        return OptionalText(node, path, maxLength);
    }

    private string? OptionalText(JsonNode? node, string key, int maxLength)
    {
        if (Refusal is not null || node is null)
        {
            return null;
        }

        key = prefix + key;

        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
        {
            return Refuse(WeChatPayErrors.Param(key, "类型错误：应为字符串"));
        }

        var text = v.GetValue<string>();
        if (text.Length == 0)
        {
            return Refuse(WeChatPayErrors.Param(key, "必填性规则校验失败，此字段不能为空", text));
        }

        if (text.Length > maxLength)
        {
            return Refuse(WeChatPayErrors.Param(key, $"长度超过限制：最多{maxLength}个字符", text[..Math.Min(text.Length, 64)]));
        }

        return text.Any(char.IsControl) ? Refuse(WeChatPayErrors.Param(key, "格式错误：不能包含控制字符")) : text;
    }

    /// <summary>Checks that an optional field, when given, has the JSON kind the API documents.</summary>
    public void OptionalKind(string key, JsonValueKind kind, string issue)
    {
        var actual = request[key]?.GetValueKind();
        if (Refusal is null && actual is not null && actual != kind && !(kind == JsonValueKind.True && actual == JsonValueKind.False))
        {
            Refuse(WeChatPayErrors.Param(prefix + key, issue));
        }
    }

    /// <summary>An optional boolean inside an optional object (<c>settle_info.profit_sharing</c>); false when absent.</summary>
    public bool OptionalFlag(string parent, string key)
    {
        if (Refusal is not null || request[parent] is not JsonObject inner || inner[key] is not { } node)
        {
            return false;
        }

        if (node.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            return Refuse<bool>(WeChatPayErrors.Param($"{prefix}{parent}.{key}", "类型错误：应为布尔值"));
        }

        return node.GetValue<bool>();
    }

    /// <summary><c>amount.{field}</c>: whole fen from 1 to 2³¹−1, with currency CNY when given.</summary>
    public long Amount(string field) => Fen("amount", field, required: true) ?? 0;

    /// <summary>Another whole-fen field of <c>amount</c> (the refund's <c>total</c>).</summary>
    public long? Fen(string parent, string field, bool required)
    {
        if (Refusal is not null)
        {
            return null;
        }

        if (request[parent] is not JsonObject amount)
        {
            return Refuse<long?>(request[parent] is null ? WeChatPayErrors.Missing(prefix + parent) : WeChatPayErrors.Param(prefix + parent, "类型错误：应为对象"));
        }

        var name = prefix + parent + "." + field;
        if (amount[field] is null)
        {
            return required ? Refuse<long?>(WeChatPayErrors.Missing(name)) : null;
        }

        if (amount[field] is not JsonValue value || value.GetValueKind() != JsonValueKind.Number || !value.TryGetValue(out long fen))
        {
            return Refuse<long?>(WeChatPayErrors.Param(name, "类型错误：应为整数（单位：分）", amount[field]!.ToJsonString()));
        }

        if (fen is < 1 or > MaxFen)
        {
            return Refuse<long?>(WeChatPayErrors.Param(name, $"取值范围错误：应为1到{MaxFen}的整数（单位：分）", fen.ToString(CultureInfo.InvariantCulture)));
        }

        if (amount["currency"] is { } currency && (currency.GetValueKind() != JsonValueKind.String || currency.GetValue<string>() != "CNY"))
        {
            return Refuse<long?>(WeChatPayErrors.Param(prefix + parent + ".currency", "取值错误：境内商户仅支持CNY"));
        }

        return fen;
    }

    /// <summary>A required boolean inside an object read before (<c>device_info.weixin_installed</c>); nothing when that object is absent.</summary>
    public void PathFlag(string path)
    {
        var (parent, key) = (path[..path.IndexOf('.', StringComparison.Ordinal)], path[(path.IndexOf('.', StringComparison.Ordinal) + 1)..]);
        if (Refusal is null && request[parent] is JsonObject inner)
        {
            if (inner[key] is null)
            {
                Refuse(WeChatPayErrors.Missing(prefix + path));
            }
            else if (inner[key]!.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                Refuse(WeChatPayErrors.Param(prefix + path, "类型错误：应为布尔值"));
            }
        }
    }

    /// <summary>Keeps a refusal a handler's own rule found, unless one came first.</summary>
    public void Reject(IResult refusal) => Refuse(refusal);

    private string? Refuse(IResult refusal) => Refuse<string?>(refusal);

    private T? Refuse<T>(IResult refusal)
    {
        Refusal ??= refusal;
        return default;
    }
}
