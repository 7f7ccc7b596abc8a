/**
 * MoltenDB's `laptops` example with its two join targets, `memory` and `display` (laptops carry
 * `memory_id` and `display_id`), so the query page has something to join from the first start.
 */
export const sampleData: Readonly<Record<string, Readonly<Record<string, Record<string, unknown>>>>> = {
  memory: {
    mem1: { capacity_gb: 8, type: 'LPDDR5', speed_mhz: 4266, upgradeable: false },
    mem2: { capacity_gb: 16, type: 'LPDDR5', speed_mhz: 4266, upgradeable: false },
    mem3: { capacity_gb: 32, type: 'DDR5', speed_mhz: 5600, upgradeable: true },
    mem4: { capacity_gb: 64, type: 'DDR5', speed_mhz: 5600, upgradeable: true },
    mem5: { capacity_gb: 36, type: 'Unified', speed_mhz: 6400, upgradeable: false },
  },
  display: {
    dsp1: { size_inch: 13.3, resolution: '2560x1600', panel: 'IPS', refresh_hz: 60, hdr: false },
    dsp2: { size_inch: 14.0, resolution: '2880x1800', panel: 'OLED', refresh_hz: 90, hdr: true },
    dsp3: { size_inch: 15.6, resolution: '1920x1080', panel: 'IPS', refresh_hz: 144, hdr: false },
    dsp4: { size_inch: 16.2, resolution: '3456x2234', panel: 'Mini-LED', refresh_hz: 120, hdr: true },
    dsp5: { size_inch: 14.0, resolution: '2560x1600', panel: 'IPS', refresh_hz: 165, hdr: false },
  },
  laptops: {
    lp1: laptop('Lenovo', 'ThinkPad X1 Carbon', 1499, true, 'mem2', 'dsp2', ['business', 'ultrabook', 'lightweight'], ['Intel', 12, 3.5], 57, 1.12),
    lp2: laptop('Apple', 'MacBook Pro 16', 3499, true, 'mem5', 'dsp4', ['creative', 'professional', 'macos'], ['Apple', 12, 4.05], 100, 2.15),
    lp3: laptop('Asus', 'ROG Zephyrus G14', 1699, true, 'mem3', 'dsp5', ['gaming', 'amd', 'portable'], ['AMD', 8, 4.9], 76, 1.65),
    lp4: laptop('Dell', 'XPS 15', 1899, false, 'mem3', 'dsp4', ['creative', 'windows', '4k'], ['Intel', 14, 3.8], 86, 1.86),
    lp5: laptop('Razer', 'Blade 15', 2499, true, 'mem4', 'dsp3', ['gaming', 'windows', 'rgb'], ['Intel', 14, 4.1], 80, 2.01),
    lp6: laptop('Framework', 'Laptop 13', 849, true, 'mem1', 'dsp1', ['modular', 'linux', 'budget'], ['Intel', 10, 3.3], 55, 1.3),
  },
};

function laptop(
  brand: string,
  model: string,
  price: number,
  inStock: boolean,
  memoryId: string,
  displayId: string,
  tags: string[],
  [cpuBrand, cores, ghz]: [string, number, number],
  batteryWh: number,
  weightKg: number,
): Record<string, unknown> {
  return {
    brand,
    model,
    price,
    in_stock: inStock,
    memory_id: memoryId,
    display_id: displayId,
    tags,
    specs: { cpu: { brand: cpuBrand, cores, ghz }, battery_wh: batteryWh, weight_kg: weightKg },
  };
}
