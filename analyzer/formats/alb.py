"""AWS Application Load Balancer access logs (the S3 objects ALB writes)."""

from __future__ import annotations

from analyzer.formats.base import LogFormat, regex_detector

ALB = LogFormat(
    name="alb",
    summary="AWS ALB access log: type time elb client:port target:port ... \"request\" \"user_agent\" ...",
    detect=regex_detector(
        r"^(?:http|https|h2|grpcs|ws|wss) \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z \S+ \S+ \S+ "),
    query="formats/alb",
    params={"format_name": "alb"},
    fields="ts, method, host+path+query (request URL, domain_name), status, bytes, duration (request + target + "
           "response processing time), client_ip, user_agent; extra: type, elb, target, target_status_code, "
           "ssl_protocol, target_group_arn, trace_id",
    example='https 2026-09-11T10:00:00.123456Z app/confluence-egress/50dc6c495c0c9188 10.20.0.11:51234 '
            '10.0.5.17:443 0.001 0.048 0.000 200 200 312 5120 '
            '"GET https://acme.atlassian.net:443/wiki/api/v2/pages/42 HTTP/1.1" "BackupPro/2.1" '
            'ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 '
            'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/confluence/73e2d6bc24d8a067 '
            '"Root=1-58337281-1d84f3d73c47ec4e58577259" "acme.atlassian.net" "-" 1 2026-09-11T10:00:00.074000Z '
            '"forward" "-" "-" "10.0.5.17:443" "200" "-" "-" TID_1a2b3c',
)

FORMATS = (ALB,)
