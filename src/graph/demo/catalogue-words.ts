/**
 * Word banks for the demo catalogue: each category's titles are "<adjective> <noun>" pairs, so
 * items read like real products and a reader can tell categories apart at a glance.
 */
export interface CategoryWords {
  readonly category: string;
  readonly adjectives: readonly string[];
  readonly nouns: readonly string[];
}

export const CATALOGUE_WORDS: readonly CategoryWords[] = [
  {
    category: 'Jazz',
    adjectives: ['Blue', 'Midnight', 'Smoky', 'Velvet', 'Late', 'Cool', 'Golden', 'Modal', 'Quiet', 'Swinging', 'Lonely', 'Bright', 'Electric', 'Round'],
    nouns: ['Train', 'Hour', 'Session', 'Standard', 'Ballad', 'Groove', 'Avenue', 'Note', 'Lament', 'Suite', 'Reverie', 'Walk', 'Blues'],
  },
  {
    category: 'Indie Rock',
    adjectives: ['Broken', 'Neon', 'Paper', 'Young', 'Static', 'Wild', 'Distant', 'Reckless', 'Hollow', 'Faded', 'Restless', 'Silver', 'Northern', 'Fuzzy'],
    nouns: ['Hearts', 'Summer', 'Radio', 'Parade', 'Motel', 'Anthem', 'Skyline', 'Tapes', 'Garage', 'Echoes', 'Riot', 'Polaroids', 'Highway'],
  },
  {
    category: 'Classical',
    adjectives: ['Pastoral', 'Eroica', 'Winter', 'Moonlight', 'Italian', 'Tragic', 'Unfinished', 'Spring', 'Imperial', 'Little', 'Heroic', 'Solemn', 'Joyful', 'Grand'],
    nouns: ['Symphony', 'Sonata', 'Concerto', 'Nocturne', 'Requiem', 'Overture', 'Fugue', 'Prelude', 'Serenade', 'Etude', 'Mass', 'Quartet', 'Rhapsody'],
  },
  {
    category: 'Science Fiction',
    adjectives: ['Quantum', 'Stellar', 'Silent', 'Last', 'Forgotten', 'Infinite', 'Dark', 'Iron', 'Orbital', 'Synthetic', 'Red', 'Frozen', 'Burning', 'Hidden'],
    nouns: ['Horizon', 'Colony', 'Signal', 'Drift', 'Machine', 'Empire', 'Station', 'Frontier', 'Protocol', 'Nebula', 'Voyage', 'Android', 'Archive'],
  },
  {
    category: 'Mystery',
    adjectives: ['Crooked', 'Silent', 'Murdered', 'Missing', 'Poisoned', 'Locked', 'Vanished', 'Twelfth', 'Stolen', 'Shadowed', 'Final', 'Secret', 'Sleeping', 'Drowned'],
    nouns: ['Witness', 'Manor', 'Alibi', 'Letter', 'Inspector', 'Key', 'Garden', 'Confession', 'Heiress', 'Clue', 'Lighthouse', 'Ledger', 'Vicar'],
  },
  {
    category: 'Cookbooks',
    adjectives: ['Simple', 'Rustic', 'Weeknight', 'Coastal', 'Spicy', 'Slow', 'Vegetarian', 'Sunday', 'Tuscan', 'Smoky', 'Garden', 'Quick', 'Hearty', 'Fresh'],
    nouns: ['Kitchen', 'Suppers', 'Bakes', 'Soups', 'Noodles', 'Feasts', 'Salads', 'Grill', 'Breads', 'Curries', 'Pantry', 'Desserts', 'Tapas'],
  },
  {
    category: 'Board Games',
    adjectives: ['Ancient', 'Tiny', 'Cosmic', 'Forbidden', 'Great', 'Lost', 'Rival', 'Hidden', 'Royal', 'Rolling', 'Merchant', 'Clever', 'Wandering', 'Mighty'],
    nouns: ['Empires', 'Towers', 'Kingdoms', 'Islands', 'Railways', 'Dragons', 'Harbours', 'Citadel', 'Caravans', 'Dungeon', 'Orchards', 'Tiles', 'Castles'],
  },
  {
    category: 'Hiking Gear',
    adjectives: ['Alpine', 'Trail', 'Summit', 'Ridge', 'Canyon', 'Glacier', 'Featherlight', 'Storm', 'Basecamp', 'Rugged', 'Ultralight', 'Waterproof', 'Thermal', 'Compact'],
    nouns: ['Backpack', 'Boots', 'Tent', 'Poles', 'Jacket', 'Headlamp', 'Stove', 'Bottle', 'Gaiters', 'Sleeping Bag', 'Map Case', 'Compass', 'Fleece'],
  },
  {
    category: 'Coffee',
    adjectives: ['Ethiopian', 'Colombian', 'Dark', 'Morning', 'Kenyan', 'Honey', 'Washed', 'Sumatran', 'Espresso', 'Single-Origin', 'Decaf', 'Guatemalan', 'Brazilian', 'House'],
    nouns: ['Roast', 'Blend', 'Reserve', 'Beans', 'Cold Brew', 'Filter', 'Lot', 'Harvest', 'Microlot', 'Espresso', 'Ristretto', 'Drip', 'Cuvée'],
  },
  {
    category: 'Tea',
    adjectives: ['Jasmine', 'Earl', 'Smoky', 'First-Flush', 'Mountain', 'Imperial', 'Roasted', 'Silver', 'Spiced', 'Morning', 'Golden', 'Misty', 'Ceremonial', 'Wild'],
    nouns: ['Oolong', 'Green', 'Darjeeling', 'Matcha', 'Sencha', 'Chai', 'Pu-erh', 'Assam', 'Needle', 'Genmaicha', 'Rooibos', 'Hojicha', 'Grey'],
  },
  {
    category: 'Houseplants',
    adjectives: ['Variegated', 'Trailing', 'Giant', 'Dwarf', 'Silver', 'Velvet', 'Painted', 'Striped', 'Curly', 'Rare', 'Hanging', 'Golden', 'Marbled', 'Compact'],
    nouns: ['Monstera', 'Pothos', 'Fern', 'Calathea', 'Ficus', 'Philodendron', 'Begonia', 'Succulent', 'Palm', 'Snake Plant', 'Peperomia', 'Orchid', 'Hoya'],
  },
  {
    category: 'Video Games',
    adjectives: ['Hollow', 'Super', 'Pixel', 'Eternal', 'Neon', 'Cursed', 'Galactic', 'Shattered', 'Turbo', 'Haunted', 'Endless', 'Crimson', 'Arcane', 'Retro'],
    nouns: ['Knight', 'Quest', 'Racer', 'Dungeon', 'Odyssey', 'Legends', 'Tactics', 'Frontier', 'Brawler', 'Saga', 'Hunter', 'Arena', 'Islands'],
  },
];
