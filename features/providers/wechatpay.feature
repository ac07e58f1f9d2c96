@provider @wechat
Feature: WeChat Pay sandbox — API v3 Native, JSAPI, APP and H5 payments, signatures, encrypted notifications and refunds
  The sandbox speaks WeChat Pay API v3 relative to its base URL (default http://127.0.0.1:8104), for the demo
  merchant it publishes: mchid, appid, the merchant's private key and certificate serial, the APIv3 key and the
  platform certificate. Every request carries "Authorization: WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,
  timestamp=…,serial_no=…,signature=…", an RSA-SHA256 signature with the merchant key over
  "METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n". Every answer, errors and 204s included, is signed with the
  platform key over "TIMESTAMP\nNONCE\nBODY\n" in the Wechatpay-Timestamp, -Nonce, -Signature and -Serial
  headers; for a merchant moved to the WeChat Pay public key, with that key, Wechatpay-Serial naming its
  PUB_KEY_ID. Notifications are signed the same way and carry the transaction encrypted with AEAD_AES_256_GCM
  under the APIv3 key. Errors are {"code","message","detail"} with the status telling business errors (4xx) from
  retryable ones (5xx). JSAPI (mini-programs, official accounts) and APP orders answer a prepay_id that the buyer's
  WeChat pays once the merchant's pay signature (RSA-SHA256 over "appId\ntimeStamp\nnonceStr\npackage\n") verifies;
  the sandbox plays that client step at POST /sandbox/request-payment. H5 orders answer an h5_url to the cashier, which
  returns the buyer to the merchant's redirect_url.

  Background:
    Given the WeChat Pay sandbox and its published merchant credentials

  Scenario: A Native order answers a code_url and stays unpaid until the buyer pays
    When the merchant places a Native order of 100 fen as "wx_conf_unpaid"
    Then the answer is 200 with a code_url of the form "weixin://wxpay/bizpayurl?pr=" and 7 letters or digits
    And querying "wx_conf_unpaid" by out_trade_no shows trade_state "NOTPAY" without transaction_id, payer or success_time
    And the hosted pay page shows the code_url as a QR code

  Scenario: Paying sends a signed notification whose resource decrypts to the transaction
    Given a Native order of 100 fen placed as "wx_conf_paid" with attach "user=alice"
    When the buyer pays on the hosted page
    Then the notify URL receives a "TRANSACTION.SUCCESS" POST whose Wechatpay-Signature verifies with the platform certificate
    And its resource decrypts with the APIv3 key to trade_state "SUCCESS", out_trade_no "wx_conf_paid", attach "user=alice", amount.total 100 and a 28-digit transaction_id
    And querying the order by its transaction_id shows trade_state "SUCCESS" and the payer's openid

  Scenario: A mchid and appid of the merchant's own work once registered
    Given the merchant registers a mchid and appid of its own
    And a Native order of 100 fen placed as "wx_conf_own" with attach "user=alice"
    When the buyer pays on the hosted page
    Then the notify URL receives a "TRANSACTION.SUCCESS" POST whose Wechatpay-Signature verifies with the platform certificate
    And the decrypted resource names the merchant's own mchid and appid

  Scenario: Closing answers 204 with an empty signed body and closes the order for good
    Given a Native order of 100 fen placed as "wx_conf_close"
    When the merchant closes "wx_conf_close"
    Then the answer is 204 with an empty body
    And querying "wx_conf_close" by out_trade_no shows trade_state "CLOSED"
    And placing "wx_conf_close" again is refused with 400 "ORDER_CLOSED"

  Scenario: Placing the same order again answers the same code_url, and changing it is refused
    Given a Native order of 100 fen placed as "wx_conf_again"
    When the merchant places a Native order of 100 fen as "wx_conf_again"
    Then the answer is 200 with the same code_url as before
    And placing "wx_conf_again" for 101 fen is refused with 400 "INVALID_REQUEST"

  Scenario: A paid order can be neither placed again nor closed
    Given a Native order of 100 fen placed as "wx_conf_paid_twice"
    When the buyer pays on the hosted page
    Then placing "wx_conf_paid_twice" again is refused with 403 "ORDERPAID"
    And closing "wx_conf_paid_twice" is refused with 403 "ORDERPAID"

  Scenario: Querying an order that does not exist
    When the merchant queries "wx_conf_nothing" by out_trade_no
    Then the answer is 404 with code "ORDER_NOT_EXIST"

  Scenario Outline: A request that fails authentication is refused with 401 SIGN_ERROR
    When the merchant queries an order with <problem>
    Then the answer is 401 with code "SIGN_ERROR" and detail naming "<field>"

    Examples:
      | problem                               | field         |
      | a signature made with another key     | signature     |
      | a serial no registered certificate has | serial_no    |
      | a timestamp 6 minutes old             | timestamp     |
      | no Authorization header               | authorization |
      | a body other than the one signed      | signature     |

  Scenario: The merchant serial matches without regard to case or a leading zero byte
    When the merchant signs with its serial in lowercase with a leading "00"
    Then the request is authenticated

  Scenario Outline: An order with a bad field is refused with 400 PARAM_ERROR naming the field
    When the merchant places a Native order whose <field> is <value>
    Then the answer is 400 with code "PARAM_ERROR" and detail naming "<field>"

    Examples:
      | field        | value                          |
      | out_trade_no | "abc12" (5 characters)         |
      | notify_url   | "https://m.example/n?x=1"      |
      | amount.total | "100" (a string)               |
      | amount.total | 0                              |
      | amount.total | 2147483648                     |
      | description  | missing                        |
      | time_expire  | "tomorrow"                     |

  Scenario: Refunds answer PROCESSING, notify REFUND.SUCCESS and never exceed what was paid
    Given a Native order of 1000 fen placed as "wx_conf_refund" and paid
    When the merchant refunds 300 fen of it as "wx_refund_1"
    Then the answer is 200 with refund status "PROCESSING" and amount.refund 300
    And the notify URL receives a "REFUND.SUCCESS" POST whose resource decrypts to refund_status "SUCCESS" and amount.refund 300
    And querying refund "wx_refund_1" shows status "SUCCESS"
    And querying "wx_conf_refund" by out_trade_no shows trade_state "REFUND"
    And refunding 701 fen more as "wx_refund_2" is refused with 400 "INVALID_REQUEST"

  Scenario: An abnormal refund is told by REFUND.ABNORMAL and refunded to the buyer's bank card on request
    Given WeChat Pay ends the merchant's refunds "ABNORMAL"
    And a Native order of 1000 fen placed as "wx_conf_abnormal" and paid
    When the merchant refunds 400 fen of "wx_conf_abnormal" as "wx_refund_abnormal"
    Then the answer is 200 with refund status "PROCESSING" and amount.refund 400
    And the notify URL receives a "REFUND.ABNORMAL" POST whose resource decrypts to refund_status "ABNORMAL" and amount.refund 400
    And querying refund "wx_refund_abnormal" shows status "ABNORMAL"
    When the merchant applies for an abnormal refund of "wx_refund_abnormal" to the buyer's "CMB_DEBIT" card "6214830100001234", encrypted for the platform certificate
    Then the answer is 200 with refund status "PROCESSING" received by "招商银行借记卡1234"
    And the notify URL receives a "REFUND.SUCCESS" POST whose resource decrypts to refund_status "SUCCESS" and amount.refund 400
    And querying refund "wx_refund_abnormal" shows status "SUCCESS"

  Scenario: A closed refund is told by REFUND.CLOSED and gives its amount back to the order
    Given WeChat Pay ends the merchant's refunds "CLOSED"
    And a Native order of 1000 fen placed as "wx_conf_closed" and paid
    When the merchant refunds 1000 fen of "wx_conf_closed" as "wx_refund_closed"
    Then the notify URL receives a "REFUND.CLOSED" POST whose resource decrypts to refund_status "CLOSED" and amount.refund 1000
    And querying refund "wx_refund_closed" shows status "CLOSED"
    And querying "wx_conf_closed" by out_trade_no shows trade_state "SUCCESS"

  Scenario: The platform certificate download decrypts to the certificate that signs
    When the merchant downloads the platform certificates
    Then the one certificate decrypts with the APIv3 key, and its serial_no is the Wechatpay-Serial of every answer

  Scenario: A merchant on the WeChat Pay public key gets every answer and notification signed with it, named by its PUB_KEY_ID
    Given WeChat Pay signs the merchant's answers and notifications with "public_key"
    And a Native order of 100 fen placed as "wx_conf_pubkey"
    When the merchant queries "wx_conf_pubkey" by out_trade_no
    Then the answer's Wechatpay-Serial is the WeChat Pay public key's id, and its signature verifies with that key
    When the buyer pays on the hosted page
    Then the notify URL receives a "TRANSACTION.SUCCESS" POST signed with the WeChat Pay public key under its id

  Scenario: While WeChat moves the merchant to the public key, answers come signed both ways and each verifies by its serial
    Given WeChat Pay signs the merchant's answers and notifications with "switching"
    And a Native order of 100 fen placed as "wx_conf_switch"
    When the merchant queries "wx_conf_switch" by out_trade_no 4 times
    Then the answers name the platform certificate and the WeChat Pay public key, each verifying with the key it names

  Scenario: Only HTTP 200 or 204 acknowledges a notification, whatever the body says
    Given the merchant answers 500, then 201, then 200 with the body '{"code":"FAIL","message":"失败"}'
    When the buyer pays on the hosted page
    And the sandbox clock advances by 15 seconds and then by 15 seconds
    Then the delivery log shows three attempts, 15 seconds apart, and only the last one acknowledged

  Scenario: An unacknowledged notification is retried on WeChat's schedule for 24 hours and 4 minutes
    Given the merchant answers every notification with HTTP 500
    When the buyer pays on the hosted page
    And the sandbox clock advances through WeChat's retry schedule
    Then the delivery log shows 16 attempts of the same bytes at 15s, 15s, 30s, 3m, 10m, 20m, 30m, 30m, 30m, 60m, 3h, 3h, 3h, 6h, 6h intervals

  Scenario: A JSAPI order answers a prepay_id, its signed pay parameters open the pay sheet, and the transaction names JSAPI and the payer
    When the merchant places a JSAPI order of 100 fen as "wx_conf_jsapi" for the openid "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
    Then the answer is 200 with a prepay_id of the form "wx", 14 digits of China time and 20 hex characters
    When the buyer's WeChat is handed wx.requestPayment's parameters signed with the merchant key
    Then the pay sheet opens at the order's hosted pay page
    When the buyer pays on the hosted page
    Then the notify URL receives a "TRANSACTION.SUCCESS" POST whose resource decrypts to trade_type "JSAPI" and payer.openid "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
    And querying "wx_conf_jsapi" by out_trade_no shows trade_type "JSAPI"

  Scenario: The pay sheet does not open for pay parameters changed after signing, or signed for another app
    Given a JSAPI order of 100 fen placed as "wx_conf_jsapi_sign"
    When the buyer's WeChat is handed wx.requestPayment's parameters with the timeStamp changed after signing
    Then the answer is 401 with code "SIGN_ERROR" and errMsg "requestPayment:fail 支付验证签名失败"
    When the buyer's WeChat is handed wx.requestPayment's parameters signed for the appid "wx8888888888888888"
    Then the answer is 400 with code "INVALID_REQUEST"

  Scenario: An H5 order answers an h5_url whose cashier returns the buyer to the merchant's redirect_url after paying
    When the merchant places an H5 order of 100 fen as "wx_conf_h5" from "203.0.113.7"
    Then the answer is 200 with an h5_url to the sandbox's H5 cashier carrying the prepay_id and a package
    When the buyer opens the h5_url with redirect_url "https://shop.example/return?order=wx_conf_h5"
    Then the cashier sends the buyer to the order's hosted pay page
    When the buyer pays on the hosted page
    Then the buyer is redirected to "https://shop.example/return?order=wx_conf_h5"
    And the notify URL receives a "TRANSACTION.SUCCESS" POST whose resource decrypts to trade_type "MWEB"

  Scenario Outline: A JSAPI or H5 order without the field its trade type needs is refused with 400 PARAM_ERROR naming it
    When the merchant places a <type> order without <field>
    Then the answer is 400 with code "PARAM_ERROR" and detail naming "<field>"

    Examples:
      | type  | field                      |
      | JSAPI | payer.openid               |
      | H5    | scene_info.h5_info         |
      | H5    | scene_info.payer_client_ip |

  Scenario: An out_trade_no placed as a Native order cannot be placed again as an APP order
    Given a Native order of 100 fen placed as "wx_conf_cross"
    When the merchant places an APP order of 100 fen as "wx_conf_cross"
    Then the answer is 400 with code "INVALID_REQUEST"
