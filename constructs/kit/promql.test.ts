import { describe, expect, it } from 'vitest';
import { parsePromQL } from './promql.js';

describe('parsePromQL', () => {
  it.each([
    ['up == 0', ['up']],
    ['sum by (tier) (rate(sovra_failovers_total[5m])) > 0.1', ['sovra_failovers_total']],
    ['min_over_time(sovra_audit_pending_records[10m]) > 0', ['sovra_audit_pending_records']],
    ['(certmanager_certificate_expiration_timestamp_seconds - time()) / 86400 < 14', ['certmanager_certificate_expiration_timestamp_seconds']],
    ['kubelet_volume_stats_used_bytes{namespace="x"} / on(persistentvolumeclaim) group_left kubelet_volume_stats_capacity_bytes > 0.8', ['kubelet_volume_stats_capacity_bytes', 'kubelet_volume_stats_used_bytes']],
    ['histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))', ['x_bucket']],
    ['max_over_time(rate(a_total[1m])[1h:5m]) offset 1d', ['a_total']],
    ['absent(up{job="x"}) or vector(0) unless on() a', ['a', 'up']],
    ['topk(3, b) and ignoring(pod) c', ['b', 'c']],
    ['{__name__="m", a="b"} > bool 1', ['m']],
    ['-2 ^ 3 ^ 2 + 1', []],
  ])('parses %s', (expr, metrics) => {
    expect(parsePromQL(expr, 'test').metrics).toEqual(metrics);
  });

  it.each([
    ['rate(x)', /needs a range vector/],
    ['sum(rate(x[5m])', /expected "," at 15, found end of expression/],
    ['frobnicate(x)', /unknown function/],
    ['x[5m] > 1', /needs scalars or instant vectors/],
    ['1 > 2', /needs "bool"/],
    ['x{a=b}', /quoted label value/],
    ['up ==', /expected an expression/],
    ['{a=""}', /must name a metric/],
    ['x[5m]', /instant vector or scalar/],
    ['1 and x', /set operator/],
  ])('rejects %s', (expr, message) => {
    expect(() => parsePromQL(expr, 'test')).toThrow(message);
  });
});
