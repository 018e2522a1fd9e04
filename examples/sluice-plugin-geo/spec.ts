import { field } from 'sluice/api';

export const geoLookupSpec = field.object({
  field: field.string({ doc: 'Record field holding the IPv4 address, as a dotted quad.', default: 'ip', example: 'client_ip' }),
  into: field.string({ doc: 'Field the looked-up value is written to; the input row is copied, never changed.', default: 'country' }),
  prefixes: field.map(field.string({ doc: 'Value for addresses inside the prefix.' }), {
    doc: 'IPv4 prefixes (CIDR) and the value each stands for; the longest matching prefix wins.',
    example: { '81.2.69.0/24': 'GB', '81.2.69.128/25': 'IE', '0.0.0.0/0': 'ZZ' },
  }),
  default: field.string({ doc: 'Value written when no prefix matches or the field is absent; left out, the field is null.', optional: true, example: 'unknown' }),
  invalid: field.enum(['dead_letter', 'default'], {
    doc: 'What to do with a value that is not an IPv4 address: dead-letter the record (reason `invalid_ip`) or write the default.',
    default: 'dead_letter',
  }),
});
