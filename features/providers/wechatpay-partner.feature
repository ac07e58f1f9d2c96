@provider @wechat
Feature: WeChat Pay sandbox — 服务商 (partner) mode orders for sub-merchants
  A 服务商 places orders for its sub-merchants (特约商户) at /v3/pay/partner/transactions/{jsapi,native,app,h5},
  signed with its own merchant key: sp_appid and sp_mchid are the 服务商's (the sandbox's published appid and mchid),
  sub_mchid the sub-merchant's, sub_appid optional; a JSAPI order names exactly one of payer.sp_openid and
  payer.sub_openid (the latter with its sub_appid). The sandbox's setting sub_mchids lists the sub-merchants the 服务商
  may act for (1900000110 and 1900000111 by default); any other is refused with 403 NO_AUTH "受理关系不存在". A partner
  order is queried and closed with sp_mchid and its own sub_mchid, refunded with sub_mchid, and never seen by the direct
  routes; its answers and notifications carry sp_appid, sp_mchid, sub_appid, sub_mchid and payer.sp_openid/sub_openid.
  The 服务商 shares a sub-merchant's order placed for 分账 through /v3/profitsharing/… with sub_mchid (receivers,
  shares, the rest unfrozen to the sub-merchant, the maximum-ratio query), and asks for one sub-merchant's trade bill
  with /v3/bill/tradebill?sub_mchid=.

  Background:
    Given the WeChat Pay sandbox and its published merchant credentials

  Scenario: A sub-merchant's JSAPI order is paid and notified in the partner shape, and found only under its sub_mchid
    Given a partner JSAPI order of 100 fen placed for sub-merchant "1900000110" as "wx_conf_partner" by sub_openid "oSubUser_conf" of "wx8888888888888888"
    When the buyer pays on the hosted page
    Then the notify URL receives a "TRANSACTION.SUCCESS" POST whose Wechatpay-Signature verifies with the platform certificate
    And its resource decrypts to sp_mchid and sp_appid the merchant's, sub_mchid "1900000110", sub_appid "wx8888888888888888" and payer.sub_openid "oSubUser_conf", without mchid or appid
    And querying partner order "wx_conf_partner" of sub-merchant "1900000110" shows trade_state "SUCCESS"
    And querying partner order "wx_conf_partner" of sub-merchant "1900000111" is refused with 404 "ORDER_NOT_EXIST"
    When the merchant queries "wx_conf_partner" by out_trade_no
    Then the answer is 404 with code "ORDER_NOT_EXIST"

  Scenario: A sub_mchid the 服务商 is not bound to is refused with 403 NO_AUTH
    When the merchant places a partner Native order of 100 fen for sub-merchant "1900009999" as "wx_conf_unbound"
    Then the answer is 403 with code "NO_AUTH"
    When the merchant places a partner Native order of 100 fen for sub-merchant "1900000111" as "wx_conf_bound"
    Then the answer is 200 with a code_url of the form "weixin://wxpay/bizpayurl?pr=" and 7 letters or digits

  Scenario: A partner order is refunded with its sub_mchid and the refund notification names both merchants
    Given a partner Native order of 1000 fen placed for sub-merchant "1900000110" as "wx_conf_prefund" and paid
    When the merchant refunds 400 fen of partner order "wx_conf_prefund" of sub-merchant "1900000110" as "wx_prefund_1"
    Then the answer is 200 with refund status "PROCESSING" and amount.refund 400
    And the notify URL receives a "REFUND.SUCCESS" POST whose resource decrypts to refund_status "SUCCESS" and amount.refund 400
    And the "REFUND.SUCCESS" resource names sp_mchid the merchant's and sub_mchid "1900000110", without mchid

  Scenario: A 服务商 shares a sub-merchant's order to the sub-merchant's receiver, and the rest unfreezes to the sub-merchant
    Given a partner Native order of 1000 fen placed for sub-merchant "1900000110" for profit sharing as "wx_conf_pshare" and paid
    And the merchant adds the merchant receiver "1900000200" named "示例合作商户有限公司" for sub-merchant "1900000110"
    When the merchant shares 300 fen of partner order "wx_conf_pshare" of sub-merchant "1900000110" to receiver "1900000200" as "wx_pshare_1"
    Then the answer is 200 with sharing state "PROCESSING" and every receiver "PENDING"
    And the answer names sub_mchid "1900000110"
    And querying sharing "wx_pshare_1" of partner order "wx_conf_pshare" of sub-merchant "1900000110" shows state "FINISHED" and receiver "1900000200" "SUCCESS"
    And the unsplit amount of partner order "wx_conf_pshare" of sub-merchant "1900000110" is 700
    When the merchant shares 1 fen of partner order "wx_conf_pshare" of sub-merchant "1900000110" to receiver "1900000200" as "wx_pshare_2"
    Then the answer is 400 with code "INVALID_REQUEST"
    When the merchant unfreezes the rest of partner order "wx_conf_pshare" of sub-merchant "1900000110" as "wx_punfreeze_1"
    Then the answer is 200 with sharing state "PROCESSING" and every receiver "PENDING"
    And querying sharing "wx_punfreeze_1" of partner order "wx_conf_pshare" of sub-merchant "1900000110" shows state "FINISHED" and receiver "1900000110" "SUCCESS"
    And the unsplit amount of partner order "wx_conf_pshare" of sub-merchant "1900000110" is 0
    When the merchant queries the maximum sharing ratio of sub-merchant "1900000110"
    Then the answer is 200 with sub_mchid "1900000110" and max_ratio 3000
    When the merchant queries the maximum sharing ratio of sub-merchant "1900009999"
    Then the answer is 403 with code "NO_AUTH"

  @moves-sandbox-clock
  Scenario: A sub-merchant's trade bill lists its orders with its number as 特约商户号
    Given a partner Native order of 1500 fen placed for sub-merchant "1900000110" as "wx_conf_pbill" and paid
    And a partner Native order of 800 fen placed for sub-merchant "1900000111" as "wx_conf_pbill_other" and paid
    When the sandbox clock reaches 10:00 China time the next day
    And the merchant applies for the "ALL" trade bill of that day for sub-merchant "1900000110"
    Then the answer is 200 with hash_type "SHA1" and a download_url on the sandbox's host
    When the merchant downloads the bill with a signed GET
    Then the bill has WeChat's 27 trade columns and ends with the summary header "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
    And the bill lists "wx_conf_pbill" as "SUCCESS" with order amount "15.00", fee "0.09000" and rate "0.60%"
    And every row of the bill names sub-merchant "1900000110" as its 特约商户号
    When the merchant applies for the "ALL" trade bill of that day for sub-merchant "1900009999"
    Then the answer is 403 with code "NO_AUTH"

  @moves-sandbox-clock
  Scenario: A sub-merchant's fund-flow bill comes encrypted and opens with the merchant's private key
    Given a partner Native order of 1500 fen placed for sub-merchant "1900000111" as "wx_conf_pfund" and paid
    When the sandbox clock reaches 10:00 China time the next day
    And the merchant applies for sub-merchant "1900000111"'s encrypted fund-flow bill of that day
    Then the answer lists one encrypted bill whose file, opened with the merchant's private key, matches its hash_value
    And the opened bill lists a "交易" "收入" of "15.00" for "wx_conf_pfund"
    And the opened bill lists a "扣除交易手续费" "支出" of "0.09" for "wx_conf_pfund"
    When the merchant applies for sub-merchant "1900009999"'s encrypted fund-flow bill of that day
    Then the answer is 403 with code "NO_AUTH"

  Scenario: A sub-merchant's own maximum ratio is answered by the ratio query and holds its sharing
    Given sub-merchant "1900000111" allows at most 10 percent of an order to be shared
    And a partner Native order of 1000 fen placed for sub-merchant "1900000111" for profit sharing as "wx_conf_pratio" and paid
    And the merchant adds the merchant receiver "1900000200" named "示例合作商户有限公司" for sub-merchant "1900000111"
    When the merchant queries the maximum sharing ratio of sub-merchant "1900000111"
    Then the answer is 200 with sub_mchid "1900000111" and max_ratio 1000
    When the merchant shares 101 fen of partner order "wx_conf_pratio" of sub-merchant "1900000111" to receiver "1900000200" as "wx_pratio_1"
    Then the answer is 400 with code "INVALID_REQUEST"
    When the merchant shares 100 fen of partner order "wx_conf_pratio" of sub-merchant "1900000111" to receiver "1900000200" as "wx_pratio_2"
    Then the answer is 200 with sharing state "PROCESSING" and every receiver "PENDING"
